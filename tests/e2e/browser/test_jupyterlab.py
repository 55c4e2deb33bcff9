"""What a student sees in JupyterLab, in a real browser: 00-welcome run through the UI's own
menus (status table, mermaid diagram, the live dashboard and its stop button), and a graded
notebook that Run All takes to its last cell. No cell may show an error or a warning."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

COMPONENTS = ("kafka", "user-service", "inventory-service", "payment-service", "order-service", "gateway")
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
BUSY_JS = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                   .some(p => p.textContent.includes('*'))"""


def open_notebook(page, jupyterlab, name: str) -> None:
    base, token, _ = jupyterlab
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # this notebook alone, as if first opened
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for(timeout=60_000)


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def select_cell(page, text: str):
    cell = page.locator(".jp-Notebook .jp-Cell", has_text=text).first
    cell.locator(".jp-InputPrompt").first.click()  # selects the cell without editing it
    return cell


def wait_until_idle(page, timeout_s: int) -> None:
    page.wait_for_function(f"() => !({BUSY_JS})()", timeout=timeout_s * 1000)


def run_one_by_one(page, until: str, most: int = 40) -> None:
    """Shift+Enter from the selected cell on, until the active cell is the one showing `until`."""
    for _ in range(most):
        if until in page.locator(".jp-Notebook .jp-Cell.jp-mod-active").inner_text():
            return
        page.keyboard.press("Shift+Enter")
        wait_until_idle(page, 120)
    raise AssertionError(f"never reached the cell showing {until!r}")


def centre(element) -> None:
    """In the middle of the notebook, clear of its sticky toolbar, for a screenshot."""
    element.evaluate("e => e.scrollIntoView({block: 'center'})")


def code_cell(page, text: str):
    return page.locator(".jp-Notebook .jp-CodeCell", has_text=text).first


def assert_no_error_output(page) -> None:
    shown = page.locator(STDERR).all_inner_texts()
    assert shown == [], f"a cell shows an error or a warning: {shown}"


def test_welcome_shows_status_mermaid_and_a_live_dashboard(page, jupyterlab, shots):
    open_notebook(page, jupyterlab, "00-welcome.ipynb")
    select_cell(page, "Call the services")  # the first cell after the dashboard
    menu(page, "Run", "Run All Above Selected Cell")
    dashboard = page.locator(".microlab-dashboard")
    dashboard.wait_for(timeout=180_000)
    for name in COMPONENTS:
        health = page.locator(f".microlab-health-{name}")
        health.wait_for(timeout=60_000)
        page.wait_for_function("(n) => document.querySelector('.microlab-health-' + n).innerText.includes('healthy')",
                               arg=name, timeout=60_000)
    wait_until_idle(page, 60)
    status = code_cell(page, "lab.status()").locator(".jp-OutputArea-output")
    assert all(name in status.inner_text() for name in COMPONENTS) and "healthy" in status.inner_text()
    # JupyterLab renders ```mermaid blocks itself (as an SVG image), after loading mermaid lazily
    page.locator(".jp-RenderedMermaid :is(svg, img)").first.wait_for(timeout=30_000)
    centre(dashboard)
    page.screenshot(path=shots("welcome-dashboard-healthy"))
    dashboard.screenshot(path=shots("dashboard"))

    page.locator(".microlab-stop-payment-service").click()
    page.wait_for_function("() => !document.querySelector('.microlab-health-payment-service')"
                           ".innerText.includes('healthy')", timeout=60_000)
    assert "payment-service: stop done" in dashboard.inner_text()
    centre(dashboard)
    dashboard.screenshot(path=shots("dashboard-payment-stopped"))
    page.locator(".microlab-start-payment-service").click()
    page.wait_for_function("() => document.querySelector('.microlab-health-payment-service')"
                           ".innerText.includes('healthy')", timeout=90_000)

    select_cell(page, "Call the services")
    run_one_by_one(page, until="Clean up")  # as a student does: Shift+Enter, cell after cell
    page.locator(".microlab-dashboard .lm-TabBar-tab", has_text="order-service").click()
    page.wait_for_function("() => document.querySelector('.microlab-dashboard').innerText.includes('POST')",
                           timeout=30_000)  # the order placed above, in order-service's requests
    centre(dashboard)
    dashboard.screenshot(path=shots("dashboard-with-requests"))
    menu(page, "Run", "Run Selected Cell and All Below")
    page.wait_for_function("() => document.body.innerText.includes(\"Lab 'default' is down\")", timeout=180_000)
    wait_until_idle(page, 60)
    # the dashboard saw the lab go down and stopped refreshing
    page.wait_for_function("() => document.querySelector('.microlab-dashboard').innerText"
                           ".includes('the lab is down')", timeout=30_000)
    page.screenshot(path=shots("welcome-end"), full_page=True)
    assert code_cell(page, "welcome.plot()").locator("img").count() == 1, "the trace's swimlane is not shown"
    assert_no_error_output(page)


def test_a_graded_notebook_runs_all_to_its_last_cell(page, jupyterlab, shots):
    open_notebook(page, jupyterlab, "01-monolith.ipynb")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(BUSY_JS, timeout=30_000)  # started
    wait_until_idle(page, 480)
    prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
    page.screenshot(path=shots("01-end"), full_page=True)
    assert prompts and re.search(r"\[\d+\]", prompts[-1]), f"the last cell did not run: {prompts[-3:]}"
    assert_no_error_output(page)
