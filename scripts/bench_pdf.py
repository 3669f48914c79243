"""Benchmark PDF parsing against the PDF library's bare extraction, and text loading old vs new.

PDF: the PDFs of data/documents are parsed REPEAT times each (content dedupe bypassed: every
copy is parsed, not skipped as already landed) by WORKERS processes, end to end (bytes in, every
dataset's rows out). In the same run, the floor: pypdfium2's bare extraction of the same pages
(every character with its box, and the page's path objects, nothing else), with the same
workers. Reports PDFs/s, pages/s, the ratio to the floor and peak memory.

Text (``--text-baseline REV[,REV…]``): the same synthetic text corpus loaded (``--no-gate``)
by this checkout's loader and by the loader of each git revision REV, side by side in this run.

Usage: ``python scripts/bench_pdf.py [--repeat 20] [--workers 2] [--text-baseline 54080fe]``
Targets: PDF parsing within 3x of the floor and at least 8 PDFs/s on 2 cores (issue 10); text
loading no slower than before PDF input (54080fe, issue 10) and than before the converter
readers (243ac92, issue 11).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _parse(path: str) -> int:
    from loaders.document import parse_bytes

    parsed = parse_bytes(Path(path).read_bytes(), Path(path).name)
    return parsed.document["page_count"]


def _extract(path: str) -> int:
    """The floor: every character with its box and every path object's bounds, nothing else."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(Path(path).read_bytes())
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pages = len(pdf)
    for index in range(pages):
        page = pdf[index]
        textpage = page.get_textpage()
        for i in range(raw.FPDFText_CountChars(textpage.raw)):
            raw.FPDFText_GetUnicode(textpage.raw, i)
            raw.FPDFText_GetCharBox(textpage.raw, i, left, right, bottom, top)
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
            obj.get_bounds()
        textpage.close()
        page.close()
    pdf.close()
    return pages


def _run(function, paths: list[str], workers: int) -> tuple[float, int]:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pages = sum(pool.map(function, paths, chunksize=4))
    return time.perf_counter() - started, pages


def _peak_mb() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children) / 1024


def _pdf(repeat: int, workers: int) -> None:
    pdfs = sorted(str(p) for p in (ROOT / "data" / "documents").glob("*.pdf"))
    paths = pdfs * repeat
    _run(_extract, pdfs, workers)  # warm the page cache and the imports
    floor_s, pages = _run(_extract, paths, workers)
    parse_s, parsed_pages = _run(_parse, paths, workers)
    assert pages == parsed_pages
    print(
        f"pdf floor (pypdfium2 characters + boxes + paths): {len(paths)} PDFs, {pages} pages in "
        f"{floor_s:.2f}s = {len(paths) / floor_s:.1f} PDFs/s, {pages / floor_s:.0f} pages/s "
        f"({workers} workers)"
    )
    print(
        f"pdf parse (document model, tables, typed rows): {len(paths)} PDFs in {parse_s:.2f}s = "
        f"{len(paths) / parse_s:.1f} PDFs/s, {pages / parse_s:.0f} pages/s, "
        f"{parse_s / floor_s:.2f}x the floor ({workers} workers)"
    )
    print(f"peak memory: {_peak_mb():.0f} MB (max RSS of this process or one worker)")


def old_loader(baseline: str, root: Path) -> Path:
    """The ``loaders`` package of git revision ``baseline``, extracted under ``root / old-REV``."""
    old = root / f"old-{baseline}"
    old.mkdir()
    archive = subprocess.run(
        ["git", "archive", baseline, "loaders"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    return old


def synthetic_corpus(root: Path, count: int) -> Path:
    """``count`` synthetic text documents (scripts/synthetic_corpus.py) under ``root / corpus``."""
    corpus = root / "corpus"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "synthetic_corpus.py"), str(corpus)]
        + ["--count", str(count)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return corpus


def _text(baselines: list[str], count: int, workers: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="budget-bench-text-"))
    try:
        loaders = [(rev, old_loader(rev, root)) for rev in baselines]
        corpus = synthetic_corpus(root, count)
        for label, path in (*loaders, ("now", ROOT)):
            times = []
            for attempt in range(3):
                out = root / f"landed-{label}-{attempt}"
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "loaders", "load", str(corpus), "--out", str(out)]
                    + ["--no-gate", "--quiet", "--workers", str(workers)],
                    cwd=root,
                    check=True,
                    capture_output=True,
                    env={**os.environ, "PYTHONPATH": str(path)},
                )
                times.append(time.perf_counter() - started)
                shutil.rmtree(out)
            best = min(times)
            print(
                f"text load {'before ' + label if label != 'now' else 'now (this checkout)'}: "
                f"{count} documents, best of 3 {best:.2f}s = {count / best:.0f} documents/s "
                f"(gate off, {workers} workers, process start included)"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Run the benchmarks and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--text-baseline", default=None, help="git revisions of old loaders, comma-separated"
    )
    parser.add_argument("--text-count", type=int, default=1000)
    args = parser.parse_args()
    _pdf(args.repeat, args.workers)
    if args.text_baseline:
        _text(args.text_baseline.split(","), args.text_count, args.workers)


if __name__ == "__main__":
    main()
