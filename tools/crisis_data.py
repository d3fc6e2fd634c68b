"""Curate the crisis detector's labelled data: merge writers' files, drop near-copies.

A dev tool (needs scikit-learn). Every line of tests/data/crisis_training.jsonl and of the
blind sets keeps its provenance: ``{"text", "label", "category", "lang", "source"}`` where
``source`` names the writer or the retired file it came from.

    python tools/crisis_data.py merge OUT --source NAME FILE [--source NAME FILE ...]
        append FILEs' lines to OUT, dropping lines that are near-copies of each other or of
        anything already in the corpus, OUT or the blind sets (``--against`` adds files);
    python tools/crisis_data.py retire BLIND
        move a scored blind set into the training data (then write a new one);
    python tools/crisis_data.py stats FILE...
        counts per label, category, language and source (never prints a message).

Near-copies: cosine similarity of character 3-5-gram TF-IDF vectors of at least ``NEAR``
(the same sentence with a word or two changed), or the same text once lower-cased with
punctuation and spaces removed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "crisis_corpus.jsonl"
TRAINING = DATA / "crisis_training.jsonl"
LABELS = ("crisis", "concern", "none")
NEAR = 0.85
_SQUASH = re.compile(r"[\W_]+")


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write(path: Path, rows: list[dict[str, Any]], *, append: bool = False) -> None:
    with path.open("a" if append else "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def squash(text: str) -> str:
    return _SQUASH.sub("", text.lower())


def clean(row: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The row in the shared shape, or None when it is malformed."""
    text = str(row.get("text", "")).strip()
    label = row.get("label")
    if not text or label not in LABELS:
        return None
    category = str(row.get("category") or row.get("note") or "unknown")
    lang = row.get("lang") or ("es" if "es" in re.split(r"[^a-z]+", category) else "en")
    return {"text": text, "label": label, "category": category, "lang": lang, "source": source}


def near_copies(texts: list[str], known: list[str]) -> set[int]:
    """Indexes of ``texts`` that near-copy an earlier text or anything in ``known``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    everything = known + texts
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(everything)
    similar = (vectors[len(known) :] @ vectors.T).tocsr()
    seen = {squash(t) for t in known}
    dropped: set[int] = set()
    for i, text in enumerate(texts):
        key = squash(text)
        row = similar.getrow(i)
        earlier = [
            j
            for j, value in zip(row.indices, row.data, strict=True)
            if value >= NEAR and j < len(known) + i and (j - len(known)) not in dropped
        ]
        if key in seen or earlier:
            dropped.add(i)
        else:
            seen.add(key)
    return dropped


def blind_sets() -> list[Path]:
    """Scored blind sets and the next one (crisis_blind_next.jsonl), kept out of training."""
    return sorted(DATA.glob("crisis_blind_*.jsonl"))


def merge(out: Path, sources: list[tuple[str, Path]], against: list[Path]) -> None:
    known_files = [CORPUS, *([out] if out.exists() else []), *blind_sets(), *against]
    known = [r["text"] for path in known_files if path.exists() for r in read(path)]
    rows: list[dict[str, Any]] = []
    bad = 0
    for name, path in sources:
        for raw in read(path):
            row = clean(raw, name)
            if row is None:
                bad += 1
            else:
                rows.append(row)
    dropped = near_copies([r["text"] for r in rows], known)
    kept = [r for i, r in enumerate(rows) if i not in dropped]
    write(out, kept, append=out.exists())
    print(f"{len(kept)} added to {out.name}; {len(dropped)} near-copies, {bad} malformed dropped")


def retire(blind: Path) -> None:
    rows = read(blind)
    write(TRAINING, [clean(r, r.get("source") or blind.stem) or r for r in rows], append=True)
    blind.unlink()
    print(f"{len(rows)} lines of {blind.name} moved into {TRAINING.name}")


def stats(paths: list[Path]) -> None:
    rows = [r for path in paths for r in read(path)]
    print(f"{len(rows)} lines")
    for key in ("label", "lang", "source", "category"):
        counts = Counter(str(r.get(key)) for r in rows)
        print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge")
    m.add_argument("out", type=Path)
    m.add_argument("--source", nargs=2, action="append", metavar=("NAME", "FILE"), default=[])
    m.add_argument("--against", type=Path, action="append", default=[])
    r = sub.add_parser("retire")
    r.add_argument("blind", type=Path)
    s = sub.add_parser("stats")
    s.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "merge":
        merge(args.out, [(n, Path(f)) for n, f in args.source], args.against)
    elif args.command == "retire":
        retire(args.blind)
    else:
        stats(args.files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
