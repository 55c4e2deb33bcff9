"""Money is kept in integer cents (floats lose cents); the API shows it as a decimal number."""


def to_cents(amount: float) -> int:
    return round(amount * 100)


def from_cents(cents: int) -> float:
    return round(cents / 100, 2)
