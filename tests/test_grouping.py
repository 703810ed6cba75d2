"""Recipe planning: one recipe per path, declared groups loaded whole, passed files reported."""

from __future__ import annotations

import os

from steplint.grouping import RecipePlan, plan_recipes
from steplint.settings import RecipeGroup, Settings


def settings(*groups: tuple[str, ...], facts=None) -> Settings:
    return Settings(recipes=tuple(RecipeGroup(files=g, facts=facts or {}, origin="test") for g in groups))


def test_each_path_is_its_own_recipe_without_groups():
    plans = plan_recipes(["a.yaml", "b.json"], Settings())
    assert plans == [RecipePlan(("a.yaml",), ("a.yaml",)), RecipePlan(("b.json",), ("b.json",))]


def test_a_declared_group_loads_whole_when_one_member_is_passed():
    (plan,) = plan_recipes(["args.yaml"], settings(("args.yaml", "ds.json"), facts={"world-size": 8}))
    assert plan.files == ("args.yaml", "ds.json")
    assert plan.reported == ("args.yaml",)
    assert plan.facts == {"world-size": 8} and plan.origin == "test"


def test_a_group_is_planned_once_and_reports_every_passed_member_in_pass_order():
    plans = plan_recipes(["ds.json", "other.yaml", "args.yaml", "ds.json"], settings(("args.yaml", "ds.json")))
    assert [p.files for p in plans] == [("args.yaml", "ds.json"), ("other.yaml",)]
    assert plans[0].reported == ("ds.json", "args.yaml")


def test_first_declared_group_wins_for_a_shared_file():
    plans = plan_recipes(["ds.json"], settings(("a.yaml", "ds.json"), ("b.yaml", "ds.json")))
    assert [p.files for p in plans] == [("a.yaml", "ds.json")]


def test_members_match_by_real_path_and_keep_the_passed_spelling(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yml").write_text("a: 1\n")
    (tmp_path / "y.yml").write_text("a: 1\n")
    group = (str(tmp_path / "x.yml"), str(tmp_path / "y.yml"))
    (plan,) = plan_recipes([os.path.join(".", "y.yml")], settings(group))
    assert plan.files == (str(tmp_path / "x.yml"), os.path.join(".", "y.yml"))
    assert plan.reported == (os.path.join(".", "y.yml"),)
