"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
JSON messages ending in NUL on file descriptors 3 and 4), so a test can click a link without a
websocket client or a browser driver package."""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium with one page. `Browser.start()` is None when it cannot run here."""

    def __init__(self, proc: subprocess.Popen, to_browser: int, from_browser: int, profile: str):
        self.proc, self._out, self._in, self.profile = proc, to_browser, from_browser, profile
        self._buf = b""
        self._id = 0
        self._events: list[dict] = []
        self.session: str | None = None

    @classmethod
    def start(cls, chromium: str) -> "Browser | None":
        profile = tempfile.mkdtemp(prefix="pn-chromium-")
        child_in, to_browser = os.pipe()      # the browser reads commands on fd 3
        from_browser, child_out = os.pipe()   # and writes answers on fd 4

        def fds():  # the pipes' ends may already be 3 or 4: copy them out of the way first
            read_end, write_end = os.dup(child_in), os.dup(child_out)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--window-size=1280,1600", "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False,
        )
        os.close(child_in)
        os.close(child_out)
        browser = cls(proc, to_browser, from_browser, profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"}, timeout=60)["targetId"]
            browser.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Page.enable")
        except (OSError, TimeoutError, RuntimeError):
            browser.close()
            return None
        return browser

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed its pipe")
                self._buf += chunk
        message, self._buf = self._buf.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read(max(0.1, deadline - time.monotonic()))
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    return self._events.pop(i)
            self._events.append(self._read(max(0.1, deadline - time.monotonic())))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str, timeout: float = 60) -> None:
        self._events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", timeout)

    def click(self, selector: str, timeout: float = 60) -> None:
        """Click the element as a user would (a mouse press and release at the centre of its
        first line box: a wrapped link's overall box can centre on a gap) and wait for the page
        it opens."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getClientRects()[0]; return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        before = self.evaluate("location.href")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 1})
        deadline = time.monotonic() + timeout
        while True:  # the new page, loaded
            try:
                if self.evaluate(f"location.href !== {json.dumps(before)} && document.readyState === 'complete'"):
                    return
            except RuntimeError:  # the old page went away mid-call
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"clicking {selector} opened no page")
            time.sleep(0.2)

    def close(self) -> None:
        try:
            os.close(self._out)
            os.close(self._in)
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
