"""ntk_app.budget's pure helpers (no Streamlit run needed)."""

from __future__ import annotations

from ntk_app import budget
from ntk_core.cost import Cost


def seconds_per_value(prefix: tuple) -> Cost:
    """Each value costs its own number of seconds."""
    return Cost(float(sum(prefix)), 0.0)


def test_affordable_prefix_keeps_what_fits_and_never_less_than_asked():
    values = (1, 1, 2, 3, 8)
    assert budget.affordable_prefix(values, seconds_per_value, budget_s=4.0) == (1, 1, 2)
    assert budget.affordable_prefix(values, seconds_per_value, budget_s=100.0) == values
    # nothing fits: the first value(s) anyway, so a sweep always draws something
    assert budget.affordable_prefix((9, 1), seconds_per_value, budget_s=4.0) == (9,)
    assert budget.affordable_prefix(values, seconds_per_value, budget_s=1.5, at_least=3) == (
        1, 1, 2)
    assert budget.affordable_prefix(values, seconds_per_value, budget_s=4.0, at_least=2) == (
        1, 1, 2)


def test_all_on_request_offers_the_whole_sweep_only_when_the_prefix_falls_short(monkeypatch):
    asked: list[tuple[float, str, str]] = []
    answer = {"chosen": False}

    def fake_long_run(c: Cost, *, what: str, key: str) -> bool:
        asked.append((c.seconds, what, key))
        return answer["chosen"]

    monkeypatch.setattr(budget, "long_run", fake_long_run)
    values = (1, 2, 3, 8)
    # the prefix is everything: nothing offered
    assert budget.all_on_request(values, values, seconds_per_value, what="w", key="k") == values
    assert asked == []
    # short and not chosen: the prefix, offered at the cost of all values
    assert budget.all_on_request(values, (1, 2), seconds_per_value, what="w", key="k") == (1, 2)
    assert asked == [(14.0, "w", "k")]
    # short and chosen: every value
    answer["chosen"] = True
    assert budget.all_on_request(list(values), [1, 2], seconds_per_value, what="w",
                                 key="k") == values
