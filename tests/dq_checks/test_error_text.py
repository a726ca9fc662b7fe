"""The first line of an error's message: what every engine error is cut to."""

from __future__ import annotations

from dq_checks.error_text import first_line


def test_the_first_line_of_a_multi_line_message_stripped() -> None:
    error = ValueError('  Parser Error: syntax error at or near "selct"  \nLINE 1: selct 1\n        ^')
    assert first_line(error) == 'Parser Error: syntax error at or near "selct"'


def test_an_empty_message_is_named_by_the_error_type() -> None:
    assert first_line(RuntimeError()) == "RuntimeError"
    assert first_line(MemoryError("")) == "MemoryError"


def test_a_message_of_only_blank_lines_is_named_by_the_error_type() -> None:
    assert first_line(ValueError("\n  \n")) == "ValueError"


def test_blank_lines_before_the_message_are_skipped() -> None:
    assert first_line(ValueError("\n\nthe cause\nthe detail")) == "the cause"
