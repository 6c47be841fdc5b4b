"""Opaque codes that raters see instead of anything that identifies a recording.

A code is random (never derived from metadata or file names), short, in an alphabet without
look-alikes (no 0/O, 1/I/L, U/V), and ends in a check character (Luhn mod N), so a mistyped
code in an email or a form is caught.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # 29 characters: a prime base for the check
BODY_LENGTH = 6  # 29**6 ≈ 595 million codes


def check_character(body: str) -> str:
    """The character that makes sum(position × value) ≡ 0 (mod 29) over the whole code.

    29 is prime and the weights 1..7 are distinct, so every single wrong character and every
    swap of two neighbouring characters changes the sum: both are always caught (the ISBN-10
    scheme, with a prime base of 29 instead of 11).
    """
    base = len(ALPHABET)
    total = sum(i * ALPHABET.index(c) for i, c in enumerate(body, start=1))
    weight = len(body) + 1
    return ALPHABET[(-total * pow(weight, -1, base)) % base]


def is_valid(code: str) -> bool:
    body, check = code[:-1], code[-1:]
    return (len(code) == BODY_LENGTH + 1 and all(c in ALPHABET for c in code)
            and check_character(body) == check)


def new_code(taken: Iterable[str] = ()) -> str:
    """A fresh random code not in `taken`; cryptographic randomness, so codes can't be guessed."""
    taken = set(taken)
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        code = body + check_character(body)
        if code not in taken:
            return code
