"""Blind codes: random, unambiguous, and a check character that catches typing mistakes."""

from __future__ import annotations

from rater.core.blind_codes import ALPHABET, BODY_LENGTH, is_valid, new_code


def test_codes_are_valid_unique_and_unambiguous():
    codes = set()
    for _ in range(2000):
        code = new_code(codes)
        assert is_valid(code) and len(code) == BODY_LENGTH + 1
        codes.add(code)
    assert len(codes) == 2000
    assert not set("01ILOUV") & set("".join(codes))


def test_every_single_character_mistake_is_caught():
    code = new_code()
    for i in range(len(code)):
        for wrong in ALPHABET:
            if wrong != code[i]:
                assert not is_valid(code[:i] + wrong + code[i + 1:])


def test_every_swap_of_neighbours_is_caught():
    for _ in range(300):
        code = new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                assert not is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2:])


def test_garbage_is_not_valid():
    assert not is_valid("") and not is_valid("ABC") and not is_valid("A" * 7 + "!")
