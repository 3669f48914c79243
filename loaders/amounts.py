"""Amounts: printed text to exact decimals in 万元."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from loaders.settings import AMOUNT
from loaders.text import fold


@lru_cache(maxsize=1 << 16)
def is_amount(cell: str) -> bool:
    """True if the cell prints a number (thousands separators and full-width digits allowed)."""
    return bool(AMOUNT.match(fold(cell).replace(" ", "")))


def parse_amount(cell: str, factor: Decimal) -> Decimal:
    """Parse a printed amount exactly and convert it to 万元.

    Args:
        cell: the printed text, e.g. ``4,405.73`` or ``３０``.
        factor: multiplier from the printed unit to 万元 (1 for 万元, 0.0001 for 元).

    Returns:
        The exact decimal value in 万元 (no float on the way).

    Raises:
        ValueError: the cell is not a number.
    """
    text = fold(cell).replace(" ", "").replace(",", "").replace("−", "-")
    if not AMOUNT.match(text):
        raise ValueError(f"not an amount: {cell!r}")
    try:
        return Decimal(text) * factor
    except InvalidOperation as error:  # pragma: no cover - the regex guards this
        raise ValueError(f"not an amount: {cell!r}") from error


# the landed amount type is decimal(20, 6): 14 integer digits and 6 decimals (万元)
MAX_INTEGER_DIGITS = 14
MAX_DECIMALS = 6


def fits_landed(value: Decimal) -> bool:
    """Can the amount be landed exactly as ``decimal(20, 6)``?

    A damaged document can print a 20-digit number, or an amount in 元 with more decimals than
    six places of 万元 hold: such a cell is kept in ``cells`` only, never rounded or cut.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= MAX_DECIMALS:  # the common case, no rescaling
        return value.adjusted() < MAX_INTEGER_DIGITS
    _, digits, exponent = value.normalize().as_tuple()  # trailing zeros of a conversion dropped
    if not isinstance(exponent, int):
        return False
    return len(digits) + exponent <= MAX_INTEGER_DIGITS and -exponent <= MAX_DECIMALS
