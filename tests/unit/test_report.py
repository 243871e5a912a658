"""``deconflict report`` and ``run --report``: one self-contained HTML file for a run, a sweep, a sensitivity analysis."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sim import api
from sim.errors import InputError
from sim.report.page import report_html, write_report
from tests.conftest import REPO, CliResult

SMALL = REPO / "scenarios" / "corridor-small.yaml"
SENSITIVITY = REPO / "results" / "reference" / "sensitivity-baseline-assumptions"
REFERENCE = REPO / "results" / "reference" / "syria-2015-10"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario (its description made hostile to HTML), 3 replications, with its report."""
    root = tmp_path_factory.mktemp("report")
    data = yaml.safe_load(SMALL.read_text())
    data["sectors_file"] = str(SMALL.parent / data["sectors_file"])
    data["description"] = 'Two <b>boxes</b> & a "quote" <script>alert(1)</script>'
    results = api.run(data, replications=3, workers=1, out=root / "run", progress="none", report=True)
    return results.path


def _images(text: str) -> list[str]:
    return re.findall(r"<img [^>]*>", text)


def test_run_report_is_one_file_with_every_figure_inline(tiny_run: Path) -> None:
    text = (tiny_run / "report.html").read_text(encoding="utf-8")
    figures = api.Results.open(tiny_run).figure_names
    images = _images(text)
    assert len(images) == len(figures)
    for tag in images:
        src = re.search(r'src="data:image/png;base64,([^"]+)"', tag)
        assert src is not None and base64.b64decode(src.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
        assert re.search(r'alt="[^"]{20,}"', tag), tag
    # nothing to fetch: no script, no link, no url other than the inline images and the page's own anchors
    assert "<script" not in text.lower().replace("&lt;script&gt;", "")
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert not re.search(r'(src|href)="(?!data:|#)', text)


def test_run_report_has_the_answer_tables_scenario_and_provenance(tiny_run: Path) -> None:
    text = (tiny_run / "report.html").read_text(encoding="utf-8")
    manifest = api.Results.open(tiny_run).manifest
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "@media print" in text
    answer = re.search(r'<p class="lead">(.*?)</p>', text)
    assert answer is not None and answer.group(1).count(". ") >= 1 and "no-notice" in answer.group(1)
    for anchor in ("answer", "summary", "comparison", "figures", "scenario", "provenance"):
        assert f'<section id="{anchor}">' in text
    assert text.count('<th scope="col">') >= 10 and "<caption>" in text
    assert manifest["scenario_sha256"] in text and f"<dd>{manifest['seed']}</dd>" in text
    assert "horizon_h: 4" in text  # the scenario as run, as YAML
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<b>boxes</b>" not in text


def test_tactical_and_risk_sections_appear_when_the_run_has_them(tiny_run: Path) -> None:
    text = (tiny_run / "report.html").read_text(encoding="utf-8")
    assert ('id="tactical"' in text) == ("red_tactical_alerts" in (tiny_run / "summary.csv").read_text())
    assert 'id="risk"' not in text  # the small scenario gives no errors
    reference = (REFERENCE / "report.html").read_text(encoding="utf-8")
    assert 'id="tactical"' in reference and 'id="risk"' in reference


def test_report_command_writes_where_asked(tiny_run: Path, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    out = tmp_path / "r.html"
    result = cli("report", tiny_run, "-o", out)
    assert result.code == 0, result.err
    assert f"report: {out}" in result.out and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "missing", "not a directory"),
        (lambda tmp: tmp, "no manifest.json"),
    ],
)
def test_report_of_what_is_not_a_results_directory_exits_2(
    make: Callable[[Path], Path], words: str, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("report", make(tmp_path))
    assert result.code == 2 and words in result.err and "Traceback" not in result.err
    assert not (tmp_path / "report.html").exists()


def test_report_into_a_missing_folder_is_refused(tiny_run: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="its directory does not exist"):
        write_report(tiny_run, tmp_path / "no" / "r.html")


def test_sweep_report(tmp_path: Path) -> None:
    sweep = api.sweep(
        SMALL,
        ["policies.hotline.latency_min=2,10"],
        replications=1,
        workers=1,
        policies=["no-notice", "hotline"],
        out=tmp_path / "sw",
        progress="none",
        report=True,
    )
    text = (sweep.path / "report.html").read_text(encoding="utf-8")
    assert "sweep report" in text and "policies.hotline.latency_min=10" in text
    assert len(_images(text)) == 1 and 'id="provenance"' in text


def test_sensitivity_report_of_the_reference_analysis(tmp_path: Path) -> None:
    text = report_html(SENSITIVITY)
    assert "sensitivity analysis report" in text and "mu_star" in text
    assert len(_images(text)) == 4  # one figure per output
    assert re.search(r'<p class="lead">Of the \d+ parameters varied', text)


def test_the_reference_run_ships_its_report_and_the_readme_links_it() -> None:
    import json

    report = REFERENCE / "report.html"
    manifest = json.loads((REFERENCE / "manifest.json").read_text(encoding="utf-8"))
    text = report.read_text(encoding="utf-8")
    assert manifest["scenario_sha256"] in text and "syria-2015-10: run report" in text
    assert len(_images(text)) == len(list((REFERENCE / "figures").glob("*.png")))
    assert report.stat().st_size < 1_500_000  # modest-dpi PNGs keep it small
    assert "(results/reference/syria-2015-10/report.html)" in (REPO / "README.md").read_text(encoding="utf-8")
