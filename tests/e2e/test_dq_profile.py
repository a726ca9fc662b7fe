"""`dq profile PATH` as a user runs it: a file in, a summary out, three reports written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner, Result

from dq_assets.cli.main import cli


def dq_profile(*args: str) -> Result:
    return CliRunner().invoke(cli, ["profile", *args])


def test_a_latin1_semicolon_csv_with_rules(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    # planted: order 2 appears twice; its second amount is missing
    path.write_bytes("id;city;amount\n1;Köln;10.5\n2;Paris;3\n2;Berlin;\n".encode("latin-1"))
    rules = tmp_path / "rules.yaml"
    rules.write_text('key: [id]\nrules:\n  - name: id_is_key\n    rule: IsPrimaryKey "id"\n')
    out = tmp_path / "out"
    result = dq_profile(
        str(path), "--delimiter", ";", "--encoding", "latin-1", "--rules", str(rules), "--out", str(out)
    )
    assert result.exit_code == 1  # a check failed
    assert result.stdout.startswith("3 rows x 3 columns\n")
    assert re.search(
        r"id_is_key\s+fail\s+ERROR\s+1 values of 'id' occur more than once \(2 rows\)", result.stdout
    )
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.xlsx"]
    assert "Köln" in (out / "report.html").read_text()  # decoded from latin-1
    assert openpyxl.load_workbook(out / "report.xlsx").sheetnames[0] == "summary"


def test_a_parquet_file_that_passes(tmp_path: Path) -> None:
    path = tmp_path / "clean.parquet"
    pq.write_table(pa.table({"id": list(range(100)), "score": [float(i % 7) for i in range(100)]}), path)
    result = dq_profile(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("100 rows x 2 columns\n")


def test_an_empty_file_and_a_malformed_row_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = dq_profile(str(empty), "--out", str(tmp_path / "a"))
    assert result.exit_code == 2
    assert "the file is empty" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text("id,amount\n1,2.5\n2,3.5\n3,4.5,oops\n4,1.0\n")  # planted: line 4 has a field too many
    result = dq_profile(str(broken), "--out", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert "line 4" in result.output
    assert not (tmp_path / "b").exists()  # nothing half-written


def test_a_rules_file_with_a_bad_rule_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id\n1\n2\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text('rules:\n  - rule: IsComplete "id"\n  - rule: ColumnValues "id" >\n')  # planted: line 3
    result = dq_profile(str(path), "--rules", str(rules), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{rules}:3: rule 'ColumnValues \"id\" >'" in result.output


def test_the_workbook_holds_up_to_a_thousand_failing_rows_per_rule(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    # planted: 1,200 negative scores among 2,000 rows; check metadata keeps 20, the workbook 1,000
    path.write_text("id,score\n" + "".join(f"{i},{-1 if i < 1200 else 1}\n" for i in range(2000)))
    rules = tmp_path / "rules.yaml"
    rules.write_text('key: [id]\nrules:\n  - name: score_positive\n    rule: ColumnValues "score" > 0\n')
    out = tmp_path / "out"
    assert dq_profile(str(path), "--rules", str(rules), "--out", str(out)).exit_code == 1
    sheet = openpyxl.load_workbook(out / "report.xlsx", read_only=True)["failing rows"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "score_positive"]
    assert rows[0][1] == "failing rows: showing 1,000 of 1,200"
    assert [r[1:] for r in rows[1:]] == [(i, -1) for i in range(1_000)]


def test_a_one_off_file_prints_clean_text_and_a_bounded_json(tmp_path: Path) -> None:
    path = tmp_path / "shipments.parquet"
    # planted: 20,000 distinct tracking codes, which ydata counts one by one
    codes = [f"TRK{i:08d}" for i in range(20_000)]
    pq.write_table(pa.table({"tracking": codes, "weight": [float(i % 13) for i in range(20_000)]}), path)
    out = tmp_path / "out"

    result = CliRunner().invoke(cli, ["profile", str(path), "--out", str(out)])

    assert result.exit_code == 0, result.output
    checks = [line.split()[0] for line in result.stdout.splitlines()[3:] if line and not line.startswith(" ")]
    assert checks[:2] == ["profile", "anomalies"]  # no volume, no schema: a file has no history
    assert not re.search(r"^(volume|schema)\s", result.stdout, re.MULTILINE)
    assert "shipments has 20,000 rows in 2 columns" in result.stdout  # the summary, not its markdown
    assert "**" not in result.stdout and "`" not in result.stdout
    assert "it/s]" not in result.output  # no ydata progress bar beside dq's own
    document = json.loads((out / "report.json").read_text())
    tracking = document["variables"]["tracking"]
    assert len(tracking["value_counts_without_nan"]) == 50
    assert tracking["dq/value_counts_kept"]["value_counts_without_nan"] == {"kept": 50, "of": 20_000}
    assert (out / "report.json").stat().st_size < 200_000
