"""Count the instructions a text document's parse costs, this checkout against an old loader.

Wall-clock figures on a shared 2-core machine move by ±20% from one run to the next; the
number of instructions does not. For each loader (this checkout, and the ``loaders`` package of
git revision REV), N synthetic documents are parsed once to warm the caches, then once and
twice more under valgrind's callgrind (gc off, ``PYTHONHASHSEED=0``): the difference of the two
counts over N is the cost of parsing one document, without process start or imports.

Needs ``valgrind`` (Debian package; not needed by the build or the tests).
Usage: ``python scripts/bench_instructions.py [--baseline 54080fe] [--count 30]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_pdf import old_loader, synthetic_corpus  # scripts/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent

# parse N documents PASSES times (after one warm pass) with the loader on sys.path[0]
_PARSE = r"""
import gc, hashlib, sys
from pathlib import Path
old, passes, corpus = sys.argv[1] == "old", int(sys.argv[2]), sys.argv[3]
datas = [(f.name, f.read_bytes()) for f in sorted(Path(corpus).glob("*.txt"))]
if old:  # the loader before the document model: decode, then parse the text
    from loaders.document import parse_document
    from loaders.text import decode
    def run(name, data):
        d = decode(data, name)
        parse_document(d.text, name, hashlib.sha256(data).hexdigest(), d.encoding)
else:
    from loaders.document import parse_bytes
    def run(name, data):
        parse_bytes(data, name)
gc.disable()
for _ in range(passes + 1):
    for name, data in datas:
        run(name, data)
"""


def _instructions(loader: Path, kind: str, passes: int, corpus: Path) -> int:
    # run outside the checkout: ``python -c`` puts the working directory first on sys.path
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [sys.executable, "-c", _PARSE, kind, str(passes), str(corpus)],
        capture_output=True,
        text=True,
        check=True,
        cwd=corpus.parent,
        env={**os.environ, "PYTHONPATH": str(loader), "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if not found:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    """Print the instructions a document costs, before and now, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="54080fe", help="git revision of the old loader")
    parser.add_argument("--count", type=int, default=30, help="synthetic documents")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    root = Path(tempfile.mkdtemp(prefix="budget-bench-instructions-"))
    try:
        old = old_loader(args.baseline, root)
        corpus = synthetic_corpus(root, args.count)
        per_doc = {}
        for label, loader, kind in (("before", old, "old"), ("now", ROOT, "new")):
            one = _instructions(loader, kind, 1, corpus)
            two = _instructions(loader, kind, 2, corpus)
            per_doc[label] = (two - one) / args.count
            name = args.baseline if label == "before" else "this checkout"
            print(f"parse {label} ({name}): {per_doc[label] / 1e6:.1f} M instructions a document")
        print(f"ratio now / before: {per_doc['now'] / per_doc['before']:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
