"""Pure-numpy inference for the MiniLM crisis classifier that tools/minilm_eval.py exports.

A dev tool: needs numpy and tokenizers only (no torch). A model directory holds weights.npz
(the BERT encoder and the linear head, float32, under torch's names), tokenizer.json and
meta.json. The forward pass: word + position + token-type embeddings, LayerNorm, the encoder
layers (multi-head self-attention under the attention mask, GELU feed-forward, each with a
residual and LayerNorm), mean pooling over the mask, the head and a softmax over LABELS.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python tools/minilm_numpy.py bench \\
        --model DIR --data F [F ...]
        latency one message at a time (p50, p99), messages per second and the resident memory
        that loading the model adds, on messages of 20-120 characters (never prints a message).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer

Array = NDArray[np.float32]
LABELS = ("none", "concern", "crisis")
CHUNK = 64  # messages per forward pass in probs()


def _erf(x: Array) -> Array:
    """Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7): numpy has no erf."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: Array) -> Array:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


class MiniLM:
    """The exported classifier; probs() gives [p_none, p_concern, p_crisis] per message."""

    def __init__(self, directory: Path | str) -> None:
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        self.heads = int(meta["heads"])
        self.eps = np.float32(meta["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        with np.load(directory / "weights.npz") as npz:
            w = {k: npz[k].astype(np.float32, copy=False) for k in npz.files}

        def t(name: str) -> Array:  # torch's Linear stores [out, in]; keep [in, out]
            return np.ascontiguousarray(w[name].T)

        e = "embeddings."
        self.word = w[e + "word_embeddings.weight"]
        self.position = w[e + "position_embeddings.weight"]
        self.token_type = w[e + "token_type_embeddings.weight"][0]
        self.emb_norm = (w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"])
        self.layers = []
        n_layers = len({k.split(".")[2] for k in w if k.startswith("encoder.layer.")})
        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            qkv = [a + f"self.{n}." for n in ("query", "key", "value")]
            self.layers.append(
                (
                    np.concatenate([t(n + "weight") for n in qkv], axis=1),
                    np.concatenate([w[n + "bias"] for n in qkv]),
                    t(a + "output.dense.weight"),
                    w[a + "output.dense.bias"],
                    w[a + "output.LayerNorm.weight"],
                    w[a + "output.LayerNorm.bias"],
                    t(p + "intermediate.dense.weight"),
                    w[p + "intermediate.dense.bias"],
                    t(p + "output.dense.weight"),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )
        self.head = (t("head.weight"), w["head.bias"])

    def _norm(self, x: Array, gain: Array, bias: Array) -> Array:
        mean = x.mean(-1, keepdims=True)
        var = np.square(x - mean).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * gain + bias

    def forward(self, ids: NDArray[np.int64], mask: Array) -> Array:
        """Class probabilities for padded token ids [B, T] and their attention mask [B, T]."""
        b, n = ids.shape
        x = self._norm(self.word[ids] + self.position[:n] + self.token_type, *self.emb_norm)
        d = x.shape[-1]
        hd = d // self.heads
        scale = np.float32(1.0 / np.sqrt(hd))
        masked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for wqkv, bqkv, wo, bo, g1, b1, wi, bi, wf, bf, g2, b2 in self.layers:
            qkv = (x @ wqkv + bqkv).reshape(b, n, 3, self.heads, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            s = q @ k.transpose(0, 1, 3, 2) * scale + masked
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
            x = self._norm(x + ctx @ wo + bo, g1, b1)
            x = self._norm(x + _gelu(x @ wi + bi) @ wf + bf, g2, b2)
        m = mask[:, :, None]
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), np.float32(1e-9))
        logits = pooled @ self.head[0] + self.head[1]
        z = np.exp(logits - logits.max(-1, keepdims=True))
        return (z / z.sum(-1, keepdims=True)).astype(np.float32)

    def probs(self, texts: list[str]) -> Array:
        """[p_none, p_concern, p_crisis] for each text, in order."""
        out: list[Array] = []
        for start in range(0, len(texts), CHUNK):
            enc = self.tokenizer.encode_batch(texts[start : start + CHUNK])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
            out.append(self.forward(ids, mask))
        return np.concatenate(out) if out else np.zeros((0, len(LABELS)), np.float32)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def bench(model_dir: Path, data: list[Path]) -> dict[str, float]:
    """Latency and memory figures of one-at-a-time inference (numbers only, no text)."""
    texts = []
    for path in data:
        with path.open(encoding="utf-8") as fh:
            rows = (json.loads(line) for line in fh if line.strip())
            texts += [r["text"] for r in rows if 20 <= len(r["text"]) <= 120]
    before = _rss_mib()
    model = MiniLM(model_dir)
    loaded = _rss_mib()
    for text in texts[:20]:  # warm-up
        model.probs([text])
    times = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        model.probs([text])
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    ms = np.array(times) * 1000
    return {
        "messages": len(texts),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "messages_per_s": round(len(texts) / total, 1),
        "rss_before_load_mib": round(before, 1),
        "rss_added_by_load_mib": round(loaded - before, 1),
        "rss_added_after_inference_mib": round(_rss_mib() - before, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench", help="one-thread latency and memory of the numpy inference")
    b.add_argument("--model", type=Path, required=True)
    b.add_argument("--data", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)
    if any(os.environ.get(v) != "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")):
        print("set OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 before starting", file=sys.stderr)
        return 2
    print(json.dumps(bench(args.model, args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
