"""A browserless Streamlit client: one Python process plays many learners over websockets.

It speaks Streamlit's own protocol (the ``streamlit.proto`` protobufs), as the real frontend of
Streamlit 1.67 does (checked by recording Chromium's frames against ``dashboard.py``):

1. ``GET <base>/_stcore/health`` sets the ``_streamlit_xsrf`` cookie (and any cookie a proxy adds).
2. Websocket ``ws://<base>/_stcore/stream`` with the cookies, an ``Origin`` header and the
   subprotocols ``["streamlit", <xsrf cookie or "PLACEHOLDER_AUTH_TOKEN">]`` (a third entry, a
   previous session id, is only sent on reconnect). Every frame is a binary protobuf: the client
   sends ``BackMsg``, the server sends ``ForwardMsg``.
3. Nothing runs until the client asks: ``BackMsg.rerun_script`` (a ``ClientState``). The first one
   names the page by ``page_name`` = the URL path below the base (``"gradient"``) with an empty
   ``page_script_hash``; later ones send the page's hash as the server last named it: in a
   ``st.navigation`` app that is the ``navigation`` message's ``page_script_hash`` (the
   ``new_session`` of such a run carries the main script's hash). The first run of a fresh
   server may end ``FINISHED_EARLY_FOR_RERUN``: the server then reruns the page by itself.
4. Each run: ``new_session`` (its ``metadata.run.script_run_id``), ``delta`` messages (element or
   block at ``metadata.delta_path``; ``delta.fragment_id`` when drawn inside ``@st.fragment``),
   then ``script_finished`` (``FINISHED_SUCCESSFULLY``, or ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``).
5. Moving a widget sends ``rerun_script`` with the state of *every* widget on the page
   (``WidgetStates``: ``id`` plus ``double_array_value`` for a slider, ``string_value`` for a text
   box or selectbox, ...) and, when the changed widget sits in a fragment, its ``fragment_id``:
   the server then reruns only that fragment.
6. Deltas of at least ``global.minCachedMessageSize`` are ``cacheable``; the client lists the
   hashes it holds in ``cached_message_hashes`` and the server sends ``ref_hash`` instead of the
   same payload again. The frontend forgets a message not seen for 2 runs; so does this client.

Example (inside ``async def``)::

    session = await StreamlitSession.open("http://127.0.0.1:8501", "gradient")
    slider = session.sliders()[0]                 # Widget(key="grad.x0", value=(1.0,), ...)
    run = await session.move_slider(slider.key)   # RunResult(latency_s=0.05, changed=4, ...)
    await session.close()

Errors a run can show: ``exceptions`` (``Exception`` elements, tracebacks), ``alerts`` (``st.error``
text), ``status`` ``"timeout"`` or ``"disconnected"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

__all__ = ["RunResult", "StreamlitSession", "Widget"]

XSRF_COOKIE = "_streamlit_xsrf"
NO_XSRF = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no XSRF cookie
MAX_CACHED_MESSAGE_AGE = 2  # runs a cached message survives unseen (the frontend's default)

_STATUS = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "finished",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    ForwardMsg.FINISHED_EARLY_FOR_RERUN: "superseded",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment_finished",
}
# element type -> the WidgetState field the frontend fills for it
_VALUE_FIELD = {
    "slider": "double_array_value",
    "text_input": "string_value",
    "text_area": "string_value",
    "checkbox": "bool_value",
    "number_input": "double_value",
    "selectbox": "string_value",
    "radio": "string_value",
}


@dataclass(frozen=True)
class Widget:
    """A widget the last run drew, with the value this client holds for it.

    ``value`` is a tuple of floats for a slider (one per thumb), a tuple of option labels for a
    select_slider, a string for a text box / selectbox / radio, a bool for a checkbox, a float for
    a number input. ``key`` is the widget's user key (``"grad.x0"``), taken from its id.
    """

    id: str
    kind: str  # the Element type: "slider", "text_input", ...
    key: str
    label: str
    value: Any
    fragment_id: str = ""  # set when the widget is drawn inside an @st.fragment
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    path: tuple[int, ...] = ()


@dataclass
class RunResult:
    """What one rerun request produced, up to its ``script_finished``.

    ``latency_s`` is request sent to ``script_finished`` received. ``changed`` counts the elements
    (widgets excluded) whose content differs from what the same place showed before the run.
    """

    status: str  # "finished", "fragment_finished", "compile_error", "timeout", "disconnected"
    latency_s: float
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of Exception elements
    alerts: list[str] = field(default_factory=list)  # st.error bodies
    changed: int = 0
    elements: int = 0  # new_element deltas received (ref_hash ones included)
    bytes_received: int = 0
    fragment_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Finished, with no exception element."""
        return self.status in ("finished", "fragment_finished") and not self.exceptions


@dataclass
class _Element:
    kind: str
    hash: str
    fragment_id: str
    run: int
    msg: ForwardMsg


@dataclass
class _Run:
    started: float
    fragment_ids: tuple[str, ...] = ()
    exceptions: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    changed: int = 0
    elements: int = 0
    bytes_received: int = 0
    status: str = ""


class StreamlitSession:
    """One browser tab's worth of Streamlit session, without the browser.

    Open with :meth:`open`; read :meth:`widgets` / :meth:`sliders`; change widgets with
    :meth:`set_widgets` or :meth:`move_slider`; :meth:`close` at the end.
    """

    def __init__(self, base_url: str, url_path: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.url_path = url_path.strip("/")
        self.timeout = timeout
        self.page_script_hash = ""
        self.query_string = ""
        self.closed = False
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._elements: dict[tuple[int, ...], _Element] = {}
        self._states: dict[str, WidgetState] = {}  # widget id -> the state this client holds
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run last seen)
        self._run_count = 0
        self._run: _Run | None = None
        self._finished: asyncio.Queue[_Run | None] = asyncio.Queue()
        self.first_run: RunResult | None = None  # the run that opened the page
        self.read_error = ""  # why the reader stopped, when it was not the server closing

    # ---- connecting ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls, base_url: str, url_path: str = "", timeout: float = 60.0, query_string: str = ""
    ) -> StreamlitSession:
        """Connect, run the page at ``url_path`` (``""`` = default page) and wait for its end.

        Args:
            base_url: the app's address, e.g. ``"http://127.0.0.1:8501"`` (a path prefix, as
                behind a proxy, is kept).
            url_path: the page's ``url_path`` (``ui.navigation``), as in the browser's address.
            timeout: seconds to wait for the connection and for each run.
            query_string: the link's query, without ``?`` (a shared view: ``"x0=1.5"``).

        Raises:
            RuntimeError: the first run did not finish cleanly (its status and errors quoted).
        """
        session = cls(base_url, url_path, timeout)
        session.query_string = query_string
        await session._connect()
        first = await session.rerun(page_name=session.url_path, timeout=timeout)
        if first.status not in ("finished", "fragment_finished"):
            await session.close()
            raise RuntimeError(f"page {url_path!r} did not open: {first}")
        session.first_run = first
        return session

    async def _connect(self) -> None:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def health() -> None:
            with opener.open(f"{self.base_url}/_stcore/health", timeout=self.timeout) as resp:
                resp.read()

        await asyncio.to_thread(health)
        cookies = {c.name: c.value for c in jar}
        parts = urllib.parse.urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        uri = f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        self._ws = await connect(
            uri,
            subprotocols=["streamlit", cookies.get(XSRF_COOKIE, NO_XSRF)],  # type: ignore[list-item]
            origin=f"{parts.scheme}://{parts.netloc}",  # type: ignore[arg-type]
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,  # a busy server must not look dead to us
        )
        self._reader = asyncio.create_task(self._read(), name=f"st-read-{self.url_path}")

    async def close(self) -> None:
        """Close the websocket; the server ends the session."""
        self.closed = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def __aenter__(self) -> StreamlitSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- widgets ---------------------------------------------------------------------------

    def widgets(self) -> list[Widget]:
        """The widgets on the page now, in page order, with the values this client holds."""
        found = []
        for path in sorted(self._elements):
            element = self._elements[path]
            if element.kind in _VALUE_FIELD:
                found.append(self._widget(path, element))
        return found

    def elements(self, kind: str | None = None) -> list[Any]:
        """The page's element protos now (``metric``, ``alert``, ...), in page order."""
        found = []
        for path in sorted(self._elements):
            element = self._elements[path]
            if kind is None or element.kind == kind:
                found.append(getattr(element.msg.delta.new_element, element.kind))
        return found

    def sliders(self, single: bool = True) -> list[Widget]:
        """The page's numeric sliders (one thumb only, unless ``single=False``)."""
        return [
            w
            for w in self.widgets()
            if w.kind == "slider" and not w.options and (len(w.value) == 1 or not single)
        ]

    def widget(self, key: str) -> Widget:
        """The widget whose user key (or id) is ``key``.

        Raises:
            KeyError: no such widget on the page (the keys that are there are quoted).
        """
        for w in self.widgets():
            if key in (w.key, w.id):
                return w
        raise KeyError(f"no widget {key!r}; the page has {[w.key for w in self.widgets()]}")

    def _widget(self, path: tuple[int, ...], element: _Element) -> Widget:
        proto = getattr(element.msg.delta.new_element, element.kind)
        state = self._states.get(proto.id)
        value = _state_value(state) if state is not None else None
        extra: dict[str, Any] = {}
        if element.kind == "slider":
            extra = {"min": proto.min, "max": proto.max, "step": proto.step}
            extra["options"] = tuple(proto.options)
            value = tuple(value) if value is not None else ()
        elif element.kind in ("selectbox", "radio"):
            extra["options"] = tuple(proto.options)
        elif element.kind == "number_input":
            extra = {"step": proto.step}
            extra["min"] = proto.min if proto.has_min else None
            extra["max"] = proto.max if proto.has_max else None
        return Widget(
            id=proto.id,
            kind=element.kind,
            key=proto.id.split("-", 2)[-1] if proto.id.startswith("$$ID-") else proto.id,
            label=proto.label,
            value=value,
            fragment_id=element.fragment_id,
            path=path,
            **extra,
        )

    # ---- reruns ----------------------------------------------------------------------------

    async def set_widgets(self, values: dict[str, Any], timeout: float | None = None) -> RunResult:
        """Change widgets (user key or id -> new value) as a learner would, and wait for the run.

        When every changed widget sits in the same fragment, only that fragment reruns (its id
        goes in the request), as in the browser.
        """
        fragments = set()
        for key, value in values.items():
            w = self.widget(key)
            self._states[w.id] = _make_state(w.id, w.kind, w.options, value)
            fragments.add(w.fragment_id)
        fragment_id = fragments.pop() if len(fragments) == 1 else ""
        return await self.rerun(fragment_id=fragment_id, timeout=timeout)

    async def move_slider(
        self, key: str | None = None, steps: int = 1, timeout: float | None = None
    ) -> RunResult:
        """Move a slider (default: the page's first) by ``steps`` steps; turn back at its ends."""
        slider = self.widget(key) if key else self.sliders()[0]
        current = slider.value[0]
        new = current + steps * slider.step
        if not slider.min - 1e-12 <= new <= slider.max + 1e-12:
            new = current - steps * slider.step
        new = round(min(max(new, slider.min), slider.max), 12)
        return await self.set_widgets({slider.id: (new, *slider.value[1:])}, timeout)

    async def rerun(
        self, fragment_id: str = "", page_name: str = "", timeout: float | None = None
    ) -> RunResult:
        """Send ``rerun_script`` with every widget's state; wait for the run's ``script_finished``.

        A run the server supersedes by another (``FINISHED_EARLY_FOR_RERUN``, e.g. the first
        run of a ``st.navigation`` app) is waited through; its errors count.
        """
        if self._ws is None or self.closed:
            return RunResult("disconnected", 0.0)
        while not self._finished.empty():  # a run nobody waited for (not expected)
            self._finished.get_nowait()
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = "" if page_name else self.page_script_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.widget_states.widgets.extend(self._current_states())
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.base_url}/{self.url_path}"
        info.is_embedded, info.color_scheme = False, "light"

        sent = time.perf_counter()
        result = RunResult("timeout", 0.0)
        try:
            await self._ws.send(msg.SerializeToString())
        except ConnectionClosed:
            self.closed = True
            return RunResult("disconnected", 0.0)
        deadline = sent + (timeout or self.timeout)
        while True:
            try:
                run = await asyncio.wait_for(
                    self._finished.get(), max(0.0, deadline - time.perf_counter())
                )
            except TimeoutError:
                result.latency_s = time.perf_counter() - sent
                return result
            if run is None:
                result.status, result.latency_s = "disconnected", time.perf_counter() - sent
                return result
            result.exceptions += run.exceptions
            result.alerts += run.alerts
            result.changed += run.changed
            result.elements += run.elements
            result.bytes_received += run.bytes_received
            result.fragment_ids = run.fragment_ids
            if run.status != "superseded":
                result.status, result.latency_s = run.status, time.perf_counter() - sent
                return result

    def _current_states(self) -> list[WidgetState]:
        states = []
        for element in self._elements.values():
            if element.kind not in _VALUE_FIELD:
                continue
            proto = getattr(element.msg.delta.new_element, element.kind)
            if proto.id in self._states:
                states.append(self._states[proto.id])
        return states

    # ---- reading ---------------------------------------------------------------------------

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                if isinstance(frame, bytes):
                    self._handle(frame)
        except ConnectionClosed:
            pass
        except Exception as error:  # a message this client cannot read: report, then stop
            self.read_error = f"{type(error).__name__}: {error}"
            raise
        finally:
            self.closed = True
            self._run = None
            self._finished.put_nowait(None)

    def _handle(self, frame: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a payload we said we hold: use our copy, keep its new place
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                return  # not expected: the server only refers to hashes we listed
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.CopyFrom(cached[0])
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
        run = self._run
        if run is not None:
            run.bytes_received += len(frame)
        if kind == "new_session":
            self._run_count += 1
            self.page_script_hash = msg.new_session.page_script_hash
            self._run = _Run(time.perf_counter(), tuple(msg.metadata.run.fragment_ids))
        elif kind == "navigation":  # st.navigation names the page it runs (new_session may not)
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and run is not None:
            self._handle_delta(msg, run)
        elif kind == "session_event" and run is not None:
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception":
                exc = event.script_compilation_exception
                run.exceptions.append(f"{exc.type}: {exc.message}")
        elif kind == "script_finished" and run is not None:
            run.status = _STATUS.get(msg.script_finished, str(msg.script_finished))
            self._end_run(run)
            self._run = None
            self._finished.put_nowait(run)

    def _handle_delta(self, msg: ForwardMsg, run: _Run) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type") or ""
        path = tuple(msg.metadata.delta_path)
        run.elements += 1
        if msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (msg, self._run_count)
        elif msg.hash in self._cache:
            self._cache[msg.hash] = (self._cache[msg.hash][0], self._run_count)
        before = self._elements.get(path)
        if kind not in _VALUE_FIELD and (before is None or before.hash != msg.hash):
            run.changed += before is not None
        self._elements[path] = _Element(kind, msg.hash, delta.fragment_id, self._run_count, msg)
        if kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            run.alerts.append(element.alert.body)
        elif kind in _VALUE_FIELD:
            self._register_widget(kind, getattr(element, kind))

    def _register_widget(self, kind: str, proto: Any) -> None:
        """Keep the client's value, as the frontend does, unless the server sets one."""
        if proto.id in self._states and not proto.set_value:
            return
        value: Any
        if kind == "slider":
            if proto.options:
                value = tuple(proto.raw_value if proto.set_value else _labels(proto))
            else:
                value = tuple(proto.value if proto.set_value else proto.default)
        elif kind in ("selectbox", "radio"):
            if proto.set_value and proto.HasField("raw_value"):
                value = proto.raw_value
            elif proto.HasField("default") and proto.options:
                value = proto.options[proto.default]
            else:
                return  # no selection: the frontend sends nothing either
        elif kind in ("text_input", "text_area"):
            if proto.set_value and proto.HasField("value"):
                value = proto.value
            else:
                value = proto.default if proto.HasField("default") else ""
        elif kind == "checkbox":
            value = proto.value if proto.set_value else proto.default
        elif kind == "number_input":
            if proto.set_value and proto.HasField("value"):
                value = proto.value
            elif proto.HasField("default"):
                value = proto.default
            else:
                return
            if proto.data_type == NumberInput.INT:
                value = int(value)
        else:  # pragma: no cover - _VALUE_FIELD lists the kinds above
            return
        options = tuple(proto.options) if kind == "slider" else ()
        self._states[proto.id] = _make_state(proto.id, kind, options, value)

    def _end_run(self, run: _Run) -> None:
        """Forget what this run replaced: elements it did not redraw, cache entries grown old.

        Only a run that finished replaces anything, as in the browser: a fragment's run that a
        callback cut short for another (a keyed ``st.rerun``, ui/fragments.py) drew nothing."""
        if run.fragment_ids and run.status == "fragment_finished":
            fragments = set(run.fragment_ids)
            stale = [
                p
                for p, e in self._elements.items()
                if e.fragment_id in fragments and e.run != self._run_count
            ]
        elif run.status in ("finished", "compile_error"):
            stale = [p for p, e in self._elements.items() if e.run != self._run_count]
        else:
            stale = []
        for path in stale:
            del self._elements[path]
        old = self._run_count - MAX_CACHED_MESSAGE_AGE
        for key in [h for h, (_, seen) in self._cache.items() if seen <= old]:
            del self._cache[key]


def _labels(proto: Any) -> list[str]:
    """A select_slider's default as option labels (its ``default`` holds indices)."""
    return [proto.options[int(i)] for i in proto.default]


def _make_state(widget_id: str, kind: str, options: tuple[str, ...], value: Any) -> WidgetState:
    state = WidgetState(id=widget_id)
    if kind == "slider" and options:
        state.string_array_value.data.extend(str(v) for v in value)
    elif kind == "slider":
        state.double_array_value.data.extend(float(v) for v in value)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    elif kind == "number_input":
        state.double_value = float(value)
    else:
        state.string_value = str(value)
    return state


def _state_value(state: WidgetState) -> Any:
    which = state.WhichOneof("value")
    value = getattr(state, which) if which else None
    if which in ("double_array_value", "string_array_value"):
        return tuple(value.data)
    return value
