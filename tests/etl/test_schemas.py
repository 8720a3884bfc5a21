"""The pandera models of etl.schemas: strict tidy tables, keys reported at file, line and field."""

from __future__ import annotations

import pandas as pd
import pytest

from etl import schemas, validate
from etl.models import TABLES


def _prices(**extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticker": ["9988.HK", "9988.HK"],
            "date": ["2025-06-30", "2025-07-01"],
            "close": [1.0, 2.0],
            "adj_close": [1.0, 2.0],
            "currency": ["HKD", "HKD"],
            "source_id": ["yahoo_prices", "yahoo_prices"],
            "owner": ["yahoo", "yahoo"],
            **extra,
        }
    )


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_tidy_model_holds_its_tables_columns_and_key(table: str) -> None:
    """The tidy model declares every column of the table and checks the table's key."""
    schema = schemas.TIDY_MODELS[table].to_schema()
    assert set(TABLES[table].columns) <= set(schema.columns)
    assert tuple(schema.unique or ()) == TABLES[table].key


def test_a_valid_tidy_table_passes() -> None:
    """Two well-formed closes give no problem."""
    assert validate.check_tables("yahoo", {"prices_daily": _prices()}) == []


def test_tidy_models_are_strict() -> None:
    """A column the table does not declare fails the table."""
    problems = [str(p) for p in validate.check_tables("yahoo", {"prices_daily": _prices(x=[1, 2])})]
    assert problems == ["source yahoo, table prices_daily field 'x': unknown column"]


def test_a_tidy_number_column_is_typed() -> None:
    """Text in a number column is reported at its row, with the rule the old schema gave."""
    frame = _prices().assign(close=["1.5", "abc"])
    problems = [str(p) for p in validate.check_tables("yahoo", {"prices_daily": frame})]
    assert problems == [
        "source yahoo, table prices_daily:2 field 'close': must be a finite number or blank "
        "(got abc)"
    ]


def test_a_duplicate_tidy_key_names_the_row() -> None:
    """Two rows of one key in one source's table: the second is reported on the key's first field."""
    frame = _prices().assign(date=["2025-06-30", "2025-06-30"])
    problems = [str(p) for p in validate.check_tables("yahoo", {"prices_daily": frame})]
    assert problems == [
        "source yahoo, table prices_daily:2 field 'ticker': duplicate key (ticker, date, owner) "
        "(got 9988.HK/2025-06-30/yahoo)"
    ]


def test_a_duplicate_key_in_a_curated_file_names_file_line_and_field() -> None:
    """A repeated key in a curated file is reported at its line, naming the first one."""
    head = "ticker,date,close,adj_close,currency,source_id\n"
    rows = "BABA,2025-06-30,1,1,USD,s\n\nBABA,2025-07-01,2,2,USD,s\nBABA,2025-06-30,3,3,USD,s\n"
    frame, found = validate.parse_csv("m.csv", (head + rows).encode(), schemas.PricesFile)
    assert found == []
    assert [str(p) for p in validate.check_prices("m.csv", frame)] == [
        "m.csv:5 field 'date': duplicate key (ticker, date) also on line 2 (got BABA/2025-06-30)"
    ]


def test_file_models_give_the_curated_columns() -> None:
    """Required and optional columns of a curated file come from its model."""
    required, optional = schemas.file_columns(schemas.FactsFile)
    assert required == ("entity", "metric", "period_end", "value", "unit", "source_id")
    assert "note" in optional and "basis" in optional
