"""Tests for the Stats NZ confidentiality rules applied to published counts."""

import dataclasses
import random
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.confidentiality import (
    DEFAULT_RULES,
    ConfidentialityRules,
    confidentiality_footnote,
    protect_table,
    random_round,
    rr3,
    seeded_rng,
)

FEW = settings(max_examples=40, deadline=None)

seeds = st.one_of(st.integers(min_value=0, max_value=2**64), st.text(min_size=1, max_size=8))
raw_counts = st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=12)
NO_SUPPRESSION = ConfidentialityRules(count_threshold=0, sum_count_threshold=0)


def one_way(counts, **sums):
    """Build a one-dimensional table of raw counts by region, with optional raw sums."""
    regions = [f"R{index:02d}" for index in range(len(counts))]
    return pd.DataFrame({"region": regions, "count": list(counts), **sums})


def cells_of(result, dimensions=("region",)):
    """Return the published cells (Total row dropped) indexed by their dimensions."""
    table = result.table
    is_total = (table[list(dimensions)] == "Total").all(axis=1)
    return table[~is_total].set_index(list(dimensions)).sort_index()


def total_of(result):
    """Return the published Total row."""
    return result.table.iloc[-1]


# rr3 / random_round


@FEW
@given(value=st.integers(min_value=0, max_value=10**6), seed=seeds)
def test_rr3_publishes_a_multiple_of_3_within_2_of_the_raw_value(value, seed):
    rounded = rr3(value, seeded_rng(seed, "cell"))

    assert rounded % 3 == 0
    assert abs(rounded - value) <= 2


@FEW
@given(multiple=st.integers(min_value=0, max_value=10**5), seed=seeds)
def test_rr3_leaves_zero_and_multiples_of_3_unchanged(multiple, seed):
    assert rr3(0, seeded_rng(seed)) == 0
    assert rr3(3 * multiple, seeded_rng(seed)) == 3 * multiple


@pytest.mark.parametrize("remainder", [1, 2])
def test_rr3_rounds_up_with_probability_remainder_over_3(remainder):
    value = 30 + remainder
    draws = 6000
    rng = random.Random(20240601)

    ups_one_stream = sum(rr3(value, rng) > value for _ in range(draws))
    ups_per_cell = sum(rr3(value, seeded_rng("export-7", "cell", i)) > value for i in range(draws))

    assert ups_one_stream / draws == pytest.approx(remainder / 3, abs=0.03)
    assert ups_per_cell / draws == pytest.approx(remainder / 3, abs=0.03)


@FEW
@given(value=st.integers(max_value=-1))
def test_rr3_rejects_negative_counts(value):
    with pytest.raises(ValueError, match="negative"):
        rr3(value, random.Random(1))


@pytest.mark.parametrize("value", [4.0, 4.5, True, "4", Decimal(4)])
def test_rr3_rejects_non_integer_counts(value):
    with pytest.raises(TypeError):
        rr3(value, random.Random(1))


def test_rr3_accepts_numpy_integers():
    assert rr3(np.int64(9), random.Random(1)) == 9


def test_random_round_uses_the_given_base():
    results = {random_round(7, random.Random(seed), base=5) for seed in range(50)}

    assert results == {5, 10}
    with pytest.raises(ValueError, match="base"):
        random_round(7, random.Random(1), base=1)


# seeded_rng


def test_seeded_rng_is_reproducible_for_the_same_seed_and_key():
    first = seeded_rng("export-42", "region", "Waikato")
    second = seeded_rng("export-42", "region", "Waikato")

    assert [first.random() for _ in range(5)] == [second.random() for _ in range(5)]


def test_seeded_rng_differs_by_seed_and_by_key():
    base = seeded_rng("export-42", "region", "Waikato").random()

    assert seeded_rng("export-43", "region", "Waikato").random() != base
    assert seeded_rng("export-42", "region", "Otago").random() != base
    assert seeded_rng("export-42", "regionWaikato").random() != base


def test_seeded_rng_treats_numpy_and_python_integers_alike():
    assert seeded_rng(7, "year", 2024).random() == seeded_rng(7, "year", np.int64(2024)).random()


@pytest.mark.parametrize(("seed", "error"), [("", ValueError), (b"", ValueError)])
def test_seeded_rng_rejects_an_empty_seed(seed, error):
    with pytest.raises(error):
        seeded_rng(seed)


@pytest.mark.parametrize("seed", [1.5, None, True])
def test_seeded_rng_rejects_a_seed_that_is_not_int_or_text(seed):
    with pytest.raises(TypeError):
        seeded_rng(seed)


# ConfidentialityRules


def test_rules_default_to_the_stats_nz_thresholds():
    rules = ConfidentialityRules()

    assert (rules.count_threshold, rules.sum_count_threshold, rules.base) == (6, 20, 3)
    assert rules == DEFAULT_RULES
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_RULES.count_threshold = 3


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"count_threshold": -1}, ValueError),
        ({"sum_count_threshold": -1}, ValueError),
        ({"base": 1}, ValueError),
        ({"count_threshold": 5.5}, TypeError),
        ({"base": True}, TypeError),
    ],
)
def test_rules_reject_invalid_settings(changes, error):
    with pytest.raises(error):
        ConfidentialityRules(**changes)


# protect_table: rounding


@FEW
@given(counts=raw_counts, seed=seeds)
def test_protect_table_publishes_rounded_counts_within_2_of_raw(counts, seed):
    result = protect_table(one_way(counts), dimensions=["region"], seed=seed)

    published = cells_of(result)
    assert str(published["count"].dtype) == "Int64"
    for raw, (count, suppressed) in zip(
        counts, published[["count", "suppressed"]].itertuples(index=False), strict=True
    ):
        assert suppressed == (count is pd.NA)
        if not suppressed:
            assert count % 3 == 0
            assert abs(count - raw) <= 2


@FEW
@given(multiples=st.lists(st.integers(min_value=0, max_value=100), min_size=1), seed=seeds)
def test_protect_table_keeps_zero_and_multiples_of_3(multiples, seed):
    counts = [3 * multiple for multiple in multiples]

    result = protect_table(one_way(counts), dimensions=["region"], rules=NO_SUPPRESSION, seed=seed)

    assert cells_of(result)["count"].tolist() == counts
    assert total_of(result)["count"] == sum(counts)


@FEW
@given(counts=raw_counts, seed=seeds)
def test_protect_table_gives_identical_output_for_the_same_seed(counts, seed):
    table = one_way(counts, paid=[100.5 * count for count in counts])

    first = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=seed)
    second = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=seed)

    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.summary == second.summary


@FEW
@given(counts=raw_counts, seed=seeds, data=st.data())
def test_protect_table_results_per_cell_do_not_depend_on_row_order(counts, seed, data):
    table = one_way(counts)
    order = data.draw(st.permutations(range(len(counts))))

    in_order = protect_table(table, dimensions=["region"], seed=seed)
    shuffled = protect_table(table.iloc[order], dimensions=["region"], seed=seed)

    pd.testing.assert_frame_equal(cells_of(in_order), cells_of(shuffled))
    pd.testing.assert_series_equal(total_of(in_order), total_of(shuffled), check_names=False)
    assert in_order.summary == shuffled.summary


@FEW
@given(
    counts=st.lists(st.integers(min_value=0, max_value=60), min_size=6, max_size=6),
    seed=seeds,
    data=st.data(),
)
def test_protect_table_two_way_results_do_not_depend_on_row_or_dimension_order(counts, seed, data):
    table = pd.DataFrame(
        {"region": ["A", "A", "A", "B", "B", "B"], "year": [2023, 2024, 2025] * 2, "count": counts}
    )
    order = data.draw(st.permutations(range(6)))

    first = protect_table(table, dimensions=["region", "year"], seed=seed)
    second = protect_table(table.iloc[order], dimensions=["year", "region"], seed=seed)

    pd.testing.assert_frame_equal(
        cells_of(first, ("region", "year")), cells_of(second, ("region", "year"))
    )


@FEW
@given(counts=raw_counts, seed=seeds)
def test_protect_table_rounds_a_cell_the_same_way_whatever_the_other_cells(counts, seed):
    def first_cell(table):
        result = protect_table(table, dimensions=["region"], rules=NO_SUPPRESSION, seed=seed)
        return result.table.at[0, "count"]

    assert first_cell(one_way(counts[:1])) == first_cell(one_way(counts))


def test_protect_table_rounds_differently_under_different_seeds():
    table = one_way([100] * 30)

    first = protect_table(table, dimensions=["region"], seed="export-1")
    second = protect_table(table, dimensions=["region"], seed="export-2")

    assert cells_of(first)["count"].tolist() != cells_of(second)["count"].tolist()


# protect_table: suppression of counts


def test_protect_table_suppresses_a_raw_5_even_when_it_would_round_to_6():
    table = one_way([5, 50, 60])
    seed = next(
        seed
        for seed in range(100)
        if protect_table(table, dimensions=["region"], rules=NO_SUPPRESSION, seed=seed).table.at[
            0, "count"
        ]
        == 6
    )

    result = protect_table(table, dimensions=["region"], seed=seed)

    assert result.table.at[0, "count"] is pd.NA
    assert bool(result.table.at[0, "suppressed"])
    assert result.summary.primary_suppressed == 1


@FEW
@given(seed=seeds)
def test_protect_table_publishes_a_raw_6(seed):
    result = protect_table(one_way([6, 50, 60]), dimensions=["region"], seed=seed)

    assert result.table.at[0, "count"] == 6
    assert not result.table.at[0, "suppressed"]
    assert result.summary.primary_suppressed == 0


def test_protect_table_count_threshold_is_configurable():
    table = one_way([8, 9, 50, 60])

    strict = protect_table(
        table, dimensions=["region"], rules=ConfidentialityRules(count_threshold=10), seed=1
    )
    lenient = protect_table(
        one_way([5, 50, 60]),
        dimensions=["region"],
        rules=ConfidentialityRules(count_threshold=3),
        seed=1,
    )

    assert strict.table["suppressed"].tolist() == [True, True, False, False, False]
    assert strict.summary.primary_suppressed == 2
    assert not lenient.table["suppressed"].any()


# protect_table: complementary suppression


def test_protect_table_hides_the_next_smallest_cell_when_one_cell_is_suppressed():
    result = protect_table(one_way([3, 40, 10, 25]), dimensions=["region"], seed=5)

    assert result.table["suppressed"].tolist() == [True, False, True, False, False]
    assert result.table["count"].isna().tolist() == [True, False, True, False, False]
    assert result.summary.primary_suppressed == 1
    assert result.summary.secondary_suppressed == 1


def test_protect_table_adds_no_complement_when_two_cells_are_already_suppressed():
    result = protect_table(one_way([3, 4, 10, 25]), dimensions=["region"], seed=5)

    assert result.table["suppressed"].tolist() == [True, True, False, False, False]
    assert result.summary.secondary_suppressed == 0


def test_protect_table_adds_no_complement_when_nothing_is_suppressed():
    result = protect_table(one_way([30, 40, 10, 25]), dimensions=["region"], seed=5)

    assert not result.table["suppressed"].any()
    assert result.summary.secondary_suppressed == 0


@FEW
@given(seed=seeds, data=st.data())
def test_protect_table_breaks_complement_ties_the_same_way_whatever_the_row_order(seed, data):
    table = one_way([3, 10, 10, 40])
    order = data.draw(st.permutations(range(4)))

    result = protect_table(table.iloc[order], dimensions=["region"], seed=seed)

    assert cells_of(result)["suppressed"].tolist() == [True, True, False, False]


@FEW
@given(
    rows=st.integers(min_value=1, max_value=4),
    columns=st.integers(min_value=1, max_value=4),
    data=st.data(),
    seed=seeds,
)
def test_protect_table_leaves_no_line_of_a_two_way_table_with_one_suppressed_cell(
    rows, columns, data, seed
):
    counts = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=30), min_size=rows * columns, max_size=rows * columns
        )
    )
    table = pd.DataFrame(
        {
            "region": [f"R{r}" for r in range(rows) for _ in range(columns)],
            "ethnicity": [f"E{c}" for _ in range(rows) for c in range(columns)],
            "count": counts,
        }
    )

    result = protect_table(table, dimensions=["region", "ethnicity"], seed=seed)

    published = result.table.iloc[:-1]
    assert published.loc[table["count"] < 6, "suppressed"].all()
    lines = [published["suppressed"]]
    lines += [group["suppressed"] for _, group in published.groupby("region")]
    lines += [group["suppressed"] for _, group in published.groupby("ethnicity")]
    for line in lines:
        assert len(line) == 1 or line.sum() != 1


# protect_table: sums


def test_protect_table_suppresses_sums_whose_raw_count_is_under_20():
    table = one_way([19, 12, 20, 45], paid=[1900.25, 1200.0, 2000.75, 4500.0])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    published = result.table
    assert published["sum_suppressed"].tolist() == [True, True, False, False, False]
    assert published["paid"].isna().tolist() == [True, True, False, False, False]
    assert not published.loc[:3, "suppressed"].any()
    assert published.at[2, "paid"] == 2000.75
    assert published.at[3, "paid"] == 4500.0
    assert str(published["paid"].dtype) == "Float64"
    assert result.summary.sum_primary_suppressed == 2
    assert result.summary.sum_secondary_suppressed == 0


def test_protect_table_suppresses_the_sum_of_a_suppressed_count():
    table = one_way([3, 4, 40, 45], paid=[30, 40, 400, 450])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert result.table["paid"].isna().tolist() == [True, True, False, False, False]
    assert result.table["paid"].tolist()[2:] == [400, 450, 920]
    assert str(result.table["paid"].dtype) == "Int64"


def test_protect_table_suppresses_the_sum_of_a_complementary_suppressed_count():
    table = one_way([3, 25, 30, 40], paid=[30.0, 250.0, 300.0, 400.0])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert result.table["suppressed"].tolist() == [True, True, False, False, False]
    assert result.table["sum_suppressed"].tolist() == [True, True, False, False, False]
    assert result.summary.sum_primary_suppressed == 2
    assert result.summary.sum_secondary_suppressed == 0


def test_protect_table_hides_a_second_sum_when_only_one_sum_is_suppressed():
    table = one_way([10, 30, 40, 50], paid=[100.0, 300.0, 400.0, 500.0])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert result.table["sum_suppressed"].tolist() == [True, True, False, False, False]
    assert not result.table["suppressed"].any()
    assert result.summary.sum_primary_suppressed == 1
    assert result.summary.sum_secondary_suppressed == 1


def test_protect_table_sum_count_threshold_is_configurable():
    table = one_way([10, 12, 50], paid=[100.0, 120.0, 500.0])

    result = protect_table(
        table,
        dimensions=["region"],
        sum_columns=["paid"],
        rules=ConfidentialityRules(sum_count_threshold=10),
        seed=3,
    )

    assert not result.table["sum_suppressed"].any()
    assert result.table["paid"].tolist() == [100.0, 120.0, 500.0, 720.0]


def test_protect_table_publishes_decimal_sums_exactly():
    table = one_way([25, 30], paid=[Decimal("2500.10"), Decimal("3000.05")])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert result.table["paid"].tolist() == [
        Decimal("2500.10"),
        Decimal("3000.05"),
        Decimal("5500.15"),
    ]


# protect_table: totals


@FEW
@given(counts=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=12), seed=seeds)
def test_protect_table_rounds_the_total_of_the_raw_counts(counts, seed):
    result = protect_table(one_way(counts), dimensions=["region"], rules=NO_SUPPRESSION, seed=seed)

    total = total_of(result)
    assert total["region"] == "Total"
    assert total["count"] % 3 == 0
    assert abs(total["count"] - sum(counts)) <= 2


def test_protect_table_publishes_the_total_even_when_every_cell_is_suppressed():
    result = protect_table(one_way([1] * 7), dimensions=["region"], seed=11)

    assert result.table.iloc[:-1]["suppressed"].all()
    assert total_of(result)["count"] in (6, 9)
    assert not result.summary.total_suppressed


def test_protect_table_suppresses_a_total_under_the_threshold():
    result = protect_table(one_way([1, 2, 2]), dimensions=["region"], seed=11)

    assert total_of(result)["count"] is pd.NA
    assert total_of(result)["suppressed"]
    assert result.summary.total_suppressed


def test_protect_table_totals_sums_from_raw_data_including_suppressed_cells():
    table = one_way([3, 15, 30, 40], paid=[30.0, 150.0, 300.0, 400.0])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert total_of(result)["paid"] == 880.0
    assert not total_of(result)["sum_suppressed"]


def test_protect_table_suppresses_the_total_sum_under_20():
    table = one_way([6, 7, 6], paid=[60.0, 70.0, 60.0])

    result = protect_table(table, dimensions=["region"], sum_columns=["paid"], seed=3)

    assert not total_of(result)["suppressed"]
    assert total_of(result)["paid"] is pd.NA
    assert total_of(result)["sum_suppressed"]


# protect_table: output shape and footnote


def test_protect_table_publishes_only_the_protected_columns():
    table = one_way([30, 40]).assign(case_ids=["c1,c2", "c3"])

    result = protect_table(table, dimensions=["region"], seed=1)

    assert list(result.table.columns) == ["region", "count", "suppressed"]


def test_protect_table_summary_carries_the_footnote():
    with_sums = protect_table(
        one_way([30, 40], paid=[1.0, 2.0]), dimensions=["region"], sum_columns=["paid"], seed=1
    )
    counts_only = protect_table(one_way([30, 40]), dimensions=["region"], seed=1)

    assert "randomly rounded to base 3" in with_sums.summary.footnote
    assert "may not add up" in with_sums.summary.footnote
    assert "dollar amounts" in with_sums.summary.footnote
    assert "dollar amounts" not in counts_only.summary.footnote
    assert counts_only.summary.footnote == confidentiality_footnote(DEFAULT_RULES)


# protect_table: refusals


@pytest.mark.parametrize(
    ("counts", "error", "message"),
    [
        ([10, -1], ValueError, "negative"),
        ([10, 2.5], ValueError, "whole"),
        ([10, None], ValueError, "missing"),
        (["10", "2"], TypeError, None),
        ([True, False], TypeError, "boolean"),
    ],
)
def test_protect_table_rejects_counts_that_are_not_non_negative_integers(counts, error, message):
    with pytest.raises(error, match=message):
        protect_table(one_way(counts), dimensions=["region"], seed=1)


def test_protect_table_accepts_whole_float_counts():
    result = protect_table(one_way([6.0, 9.0]), dimensions=["region"], seed=1)

    assert cells_of(result)["count"].tolist() == [6, 9]


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (one_way([10, 20]), {"dimensions": []}, "at least one dimension"),
        (one_way([10, 20]), {"dimensions": ["ethnicity"]}, "not in the table"),
        (one_way([10, 20]), {"dimensions": ["region"], "count_column": "people"}, "not in"),
        (one_way([10, 20]), {"dimensions": ["region", "region"]}, "distinct"),
        (one_way([10, 20]), {"dimensions": ["region"], "count_column": "region"}, "distinct"),
        (
            pd.DataFrame({"region": ["A", "A"], "count": [10, 20]}),
            {"dimensions": ["region"]},
            "appear once",
        ),
        (
            pd.DataFrame({"region": ["A", None], "count": [10, 20]}),
            {"dimensions": ["region"]},
            "must not be missing",
        ),
        (
            pd.DataFrame({"region": ["A", "Total"], "count": [10, 20]}),
            {"dimensions": ["region"]},
            "total label",
        ),
        (
            one_way([10, 20], paid=[1.0, None]),
            {"dimensions": ["region"], "sum_columns": ["paid"]},
            "missing sums",
        ),
        (
            one_way([10, 20]).assign(suppressed=[1, 2]),
            {"dimensions": ["region"], "count_column": "suppressed"},
            "reserved",
        ),
    ],
)
def test_protect_table_rejects_malformed_tables(table, kwargs, message):
    with pytest.raises(ValueError, match=message):
        protect_table(table, seed=1, **kwargs)


def test_protect_table_rejects_an_empty_seed():
    with pytest.raises(ValueError, match="seed"):
        protect_table(one_way([10, 20]), dimensions=["region"], seed="")
