"""Does text parse in AWS's published DQDL grammar? The ANTLR parser generated from it, as a test oracle.

dq's exported rulesets must load in AWS Glue unchanged. The generated parser lives in
tests/data/awslabs_dqdl with the grammar and its licence (see the README there).
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

GRAMMAR_DIR = Path(__file__).parent / "data" / "awslabs_dqdl"


@cache
def _modules() -> tuple[ModuleType, ModuleType]:
    # The generated modules import each other by bare name, so their folder goes on the path.
    if str(GRAMMAR_DIR) not in sys.path:
        sys.path.insert(0, str(GRAMMAR_DIR))
    lexer = importlib.import_module("DataQualityDefinitionLanguageLexer")
    parser = importlib.import_module("DataQualityDefinitionLanguageParser")
    return lexer, parser


def aws_grammar_errors(document: str) -> list[str]:
    """Every syntax error AWS's grammar reports for a whole ruleset document; [] when it parses."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener

    class Collect(ErrorListener):
        def __init__(self) -> None:
            self.errors: list[str] = []

        def syntaxError(self, *args: Any) -> None:  # noqa: N802 (ANTLR's name)
            _recognizer, _symbol, line, column, message, _error = args
            self.errors.append(f"{line}:{column + 1}: {message}")

    lexer_module, parser_module = _modules()
    collect = Collect()
    lexer = lexer_module.DataQualityDefinitionLanguageLexer(InputStream(document))
    lexer.removeErrorListeners()
    lexer.addErrorListener(collect)
    parser = parser_module.DataQualityDefinitionLanguageParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(collect)
    parser.document()
    return collect.errors


def aws_rule_errors(rule: str) -> list[str]:
    """Errors for one rule, parsed as the only rule of a ruleset."""
    return aws_grammar_errors(f"Rules = [\n{rule}\n]\n")
