"""Generate a synthetic corpus from the sample documents, for benchmarks.

Each generated document is one of the samples with another department name (the city part of
every printed name variant replaced), another fiscal year (every year shifted alike) and its
table amounts multiplied by a small integer (so every printed sum still adds up exactly). The
layouts are unchanged. Usage: ``python scripts/synthetic_corpus.py OUT_DIR --count 1000``.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from loaders.document import parse_document
from loaders.interpret import Context, interpret
from loaders.segment import segment
from loaders.text import decode, read_text

DIGITS = "零一二三四五六七八九"
YEAR = re.compile(r"(?<!\d)(20[12]\d)(\s*年)")


@dataclass
class Sample:
    """A sample document prepared for variation."""

    name: str
    lines: list[str]
    city: str
    year: int
    amounts: dict[int, set[int]]  # line number -> columns holding landed amounts


def _city_token(department: str) -> str:
    city = department.split("住房公积金")[0] if "住房公积金" in department else department[:3]
    return city.removesuffix("市")


def prepare(path: Path) -> Sample:
    """Parse a sample once: which cells are amounts, and which city/year it names."""
    decoded = decode(path.read_bytes(), path.name)
    document = read_text(decoded)
    parsed = parse_document(document, path.name, "")
    doc = parsed.document
    ctx = Context(parsed.document_id, path.name, doc["department_names_seen"].split("|"))
    amounts: dict[int, set[int]] = {}
    for table in segment(document):
        for line, col in interpret(table, ctx).positions:
            amounts.setdefault(line, set()).add(col)
    return Sample(
        path.name,
        decoded.text.split("\n"),
        _city_token(doc["department_name"]),
        doc["fiscal_year"],
        amounts,
    )


def _scale(cell: str, factor: int) -> str:
    text = cell.strip()
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = Decimal(text.replace(",", "")) * factor
    out = f"{value:,.{decimals}f}" if "," in text else f"{value:.{decimals}f}"
    return cell.replace(text, out)


def variant(sample: Sample, index: int) -> str:
    """The ``index``-th variant of a sample."""
    city = "城" + "".join(DIGITS[int(d)] for d in f"{index:04d}")
    year = 2019 + index % 8
    factor = 1 + index % 4
    shift = year - sample.year
    out = []
    for number, line in enumerate(sample.lines, start=1):
        if number in sample.amounts:
            cells = line.split("\t")
            for col in sample.amounts[number]:
                cells[col] = _scale(cells[col], factor)
            line = "\t".join(cells)
        line = line.replace(sample.city, city)
        line = YEAR.sub(lambda m: f"{int(m.group(1)) + shift}{m.group(2)}", line)
        out.append(line)
    return "\n".join(out)


def generate(samples_dir: Path, out: Path, count: int) -> list[Path]:
    """Write ``count`` documents to ``out``; returns their paths."""
    samples = [prepare(p) for p in sorted(samples_dir.glob("*.txt"))]
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        sample = samples[i % len(samples)]
        path = out / f"synthetic_{i:05d}.txt"
        path.write_text(variant(sample, i), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--samples", type=Path, default=Path("data/documents"))
    args = parser.parse_args()
    paths = generate(args.samples, args.out, args.count)
    print(f"wrote {len(paths)} documents to {args.out}")


if __name__ == "__main__":
    main()
