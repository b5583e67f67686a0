// live_chart: one plotly div kept alive across Streamlit reruns, updated with Plotly.react.
// Talks to Streamlit by postMessage (components v1 protocol, apiVersion 1). No build step.
"use strict";

(function () {
  const chart = document.getElementById("chart");
  const errorBox = document.getElementById("error");

  function send(type, payload) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type }, payload), "*");
  }

  // Software WebGL (SwiftShader, llvmpipe: a machine without a GPU, or with it disabled) renders
  // every pixel on the CPU, and plotly asks for 4x multisampled 3D scenes: there, 3D charts get
  // no multisampling, which roughly halves the cost of each 3D redraw. With a GPU nothing
  // changes.
  const softwareWebGL = (() => {
    try {
      const gl = document.createElement("canvas").getContext("webgl");
      if (!gl) return false;
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
      return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
    } catch (err) {
      return false;
    }
  })();
  if (softwareWebGL) {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, attributes) {
      if (/webgl/.test(String(type))) {
        attributes = Object.assign({}, attributes, { antialias: false });
      }
      return getContext.call(this, type, attributes);
    };
  }
  document.documentElement.dataset.softwareWebgl = String(softwareWebGL);

  // plotly.min.js is copied next to this file from the installed plotly package; load it once.
  let plotlyPromise = null;
  function loadPlotly() {
    if (plotlyPromise === null) {
      plotlyPromise = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "plotly.min.js";
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => reject(new Error("could not load plotly.min.js"));
        document.head.appendChild(script);
      });
    }
    return plotlyPromise;
  }
  loadPlotly(); // start downloading while Streamlit gets ready

  // ---- theme: colours from Streamlit's theme override those of the figure's template ----
  function parseColor(text) {
    if (typeof text !== "string") return null;
    const s = text.trim();
    let m = /^#([0-9a-f]{3,8})$/i.exec(s);
    if (m) {
      let h = m[1];
      if (h.length === 3 || h.length === 4) h = h.split("").map((c) => c + c).join("");
      return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    }
    m = /^rgba?\(([^)]+)\)$/i.exec(s);
    if (m) return m[1].split(",").slice(0, 3).map((v) => parseFloat(v));
    return null;
  }

  function mix(fg, bg, amount) {
    // `amount` of the text colour over the background, as an opaque rgb() string.
    const a = parseColor(fg), b = parseColor(bg);
    if (!a || !b) return fg;
    const c = a.map((v, i) => Math.round(v * amount + b[i] * (1 - amount)));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  const NON_CARTESIAN = new Set([
    "surface", "mesh3d", "scatter3d", "cone", "streamtube", "volume", "isosurface",
    "pie", "sunburst", "treemap", "icicle", "funnelarea", "sankey", "table", "parcoords",
    "parcats", "indicator", "scatterpolar", "scatterpolargl", "barpolar", "scattergeo",
    "choropleth", "scattermap", "choroplethmap", "densitymap", "scattermapbox",
    "choroplethmapbox", "densitymapbox", "scatterternary", "scattersmith", "carpet",
  ]);

  function axisNames(data, layout) {
    const cartesian = new Set(), scenes = new Set();
    for (const name of Object.keys(layout)) {
      if (/^[xy]axis\d*$/.test(name)) cartesian.add(name);
      if (/^scene\d*$/.test(name)) scenes.add(name);
    }
    for (const trace of data) {
      const type = trace.type || "scatter";
      if (type.endsWith("3d") || ["surface", "mesh3d", "cone", "streamtube", "volume",
        "isosurface"].includes(type)) {
        scenes.add(trace.scene || "scene");
      } else if (!NON_CARTESIAN.has(type)) {
        cartesian.add((trace.xaxis || "x").replace(/^x/, "xaxis"));
        cartesian.add((trace.yaxis || "y").replace(/^y/, "yaxis"));
      }
    }
    return { cartesian, scenes };
  }

  function applyTheme(data, layout, theme) {
    if (!theme) return layout;
    const text = theme.textColor || "#31333F";
    const bg = theme.backgroundColor || "#FFFFFF";
    const panel = theme.secondaryBackgroundColor || bg;
    const grid = mix(text, bg, 0.15);
    const zero = mix(text, bg, 0.4);
    const line = mix(text, bg, 0.5);
    const out = Object.assign({}, layout);
    out.paper_bgcolor = "rgba(0,0,0,0)";
    out.plot_bgcolor = "rgba(0,0,0,0)";
    out.font = Object.assign({}, layout.font, { color: text });
    out.legend = Object.assign({}, layout.legend, {
      bgcolor: "rgba(0,0,0,0)",
      font: Object.assign({}, (layout.legend || {}).font, { color: text }),
    });
    out.hoverlabel = Object.assign({}, layout.hoverlabel, {
      bgcolor: panel,
      bordercolor: line,
      font: Object.assign({}, (layout.hoverlabel || {}).font, { color: text }),
    });
    out.modebar = Object.assign({}, layout.modebar, {
      bgcolor: "rgba(0,0,0,0)", color: line, activecolor: text,
    });
    const axisColors = { color: text, gridcolor: grid, zerolinecolor: zero, linecolor: line };
    const { cartesian, scenes } = axisNames(data, layout);
    for (const name of cartesian) out[name] = Object.assign({}, layout[name], axisColors);
    for (const name of scenes) {
      const scene = Object.assign({}, layout[name]);
      for (const axis of ["xaxis", "yaxis", "zaxis"]) {
        scene[axis] = Object.assign({}, scene[axis], axisColors, { backgroundcolor: panel });
      }
      out[name] = scene;
    }
    if (out.coloraxis) {
      const cbar = Object.assign({}, out.coloraxis.colorbar);
      cbar.tickfont = Object.assign({}, cbar.tickfont, { color: text });
      out.coloraxis = Object.assign({}, out.coloraxis, { colorbar: cbar });
    }
    if (Array.isArray(layout.annotations)) {
      // Arrows drawn in the template's ink would vanish on a dark page.
      out.annotations = layout.annotations.map((a) => Object.assign({ arrowcolor: text }, a));
    }
    if (Array.isArray(layout.sliders)) {
      out.sliders = layout.sliders.map((s) => Object.assign({}, s, {
        font: Object.assign({}, s.font, { color: text }),
        currentvalue: Object.assign({}, s.currentvalue, {
          font: Object.assign({}, (s.currentvalue || {}).font, { color: text }),
        }),
        bgcolor: panel, activebgcolor: zero, bordercolor: line, tickcolor: line,
      }));
    }
    if (Array.isArray(layout.updatemenus)) {
      out.updatemenus = layout.updatemenus.map((u) => Object.assign({}, u, {
        font: Object.assign({}, u.font, { color: text }), bgcolor: panel, bordercolor: line,
      }));
    }
    return out;
  }

  // The palette's black ("#000000", Okabe-Ito's ink) means "the text colour": on a dark page a
  // black loss curve or point would vanish, so ink follows the theme's text colour.
  const INK = "#000000";
  function inked(part, text) {
    if (!part || part.color !== INK) return part;
    return Object.assign({}, part, { color: text });
  }
  // ---- presentation mode: the figure scaled for a projector, in one place for every chart ----
  const MIN_FONT = 22; // px: the smallest text of a chart in presentation mode
  const LINE_SCALE = 1.6, MARKER_SCALE = 1.4;
  function bigFont(font, base) {
    const size = (font && typeof font.size === "number") ? font.size : base;
    return Object.assign({}, font, { size: Math.max(MIN_FONT, Math.round(size * 1.4)) });
  }
  function projectorTrace(trace) {
    const out = Object.assign({}, trace);
    if (trace.line && typeof trace.line.width === "number") {
      out.line = Object.assign({}, trace.line, { width: trace.line.width * LINE_SCALE });
    }
    if (trace.marker) {
      const marker = Object.assign({}, trace.marker);
      if (typeof marker.size === "number") marker.size = marker.size * MARKER_SCALE;
      else if (Array.isArray(marker.size)) marker.size = marker.size.map((v) => v * MARKER_SCALE);
      if (marker.line && typeof marker.line.width === "number") {
        marker.line = Object.assign({}, marker.line, { width: marker.line.width * LINE_SCALE });
      }
      out.marker = marker;
    }
    if (trace.textfont || trace.mode === "text" || /text/.test(String(trace.mode || ""))) {
      out.textfont = bigFont(trace.textfont, 14);
    }
    return out;
  }
  function projectorLayout(layout) {
    const out = Object.assign({}, layout);
    out.font = bigFont(layout.font, 14);
    const axis = (a) => Object.assign({}, a, {
      tickfont: bigFont((a || {}).tickfont, 14),
      title: Object.assign({}, typeof (a || {}).title === "object" ? a.title : { text: (a || {}).title },
        { font: bigFont(((a || {}).title || {}).font, 16) }),
    });
    for (const name of Object.keys(layout)) {
      if (/^[xy]axis\d*$/.test(name) || name === "polar" || /^scene\d*$/.test(name)) {
        if (/^scene/.test(name)) {
          const scene = Object.assign({}, layout[name]);
          for (const a of ["xaxis", "yaxis", "zaxis"]) scene[a] = axis(scene[a]);
          out[name] = scene;
        } else if (name === "polar") {
          const polar = Object.assign({}, layout.polar);
          polar.radialaxis = axis(polar.radialaxis);
          polar.angularaxis = Object.assign({}, polar.angularaxis, {
            tickfont: bigFont((polar.angularaxis || {}).tickfont, 14),
          });
          out.polar = polar;
        } else {
          out[name] = axis(layout[name]);
        }
      }
    }
    if (!out.xaxis) out.xaxis = axis({});
    if (!out.yaxis) out.yaxis = axis({});
    out.legend = Object.assign({}, layout.legend, { font: bigFont((layout.legend || {}).font, 14) });
    if (layout.title) {
      const title = typeof layout.title === "object" ? layout.title : { text: layout.title };
      out.title = Object.assign({}, title, { font: bigFont(title.font, 18) });
    }
    if (Array.isArray(layout.annotations)) {
      out.annotations = layout.annotations.map((a) => Object.assign({}, a, { font: bigFont(a.font, 14) }));
    }
    if (Array.isArray(layout.sliders)) {
      out.sliders = layout.sliders.map((sl) => Object.assign({}, sl, {
        font: bigFont(sl.font, 14),
        currentvalue: Object.assign({}, sl.currentvalue, {
          font: bigFont((sl.currentvalue || {}).font, 14),
        }),
      }));
    }
    if (Array.isArray(layout.updatemenus)) {
      out.updatemenus = layout.updatemenus.map((u) => Object.assign({}, u, { font: bigFont(u.font, 14) }));
    }
    return out;
  }

  function inkFollowsText(traces, theme) {
    if (!theme || !Array.isArray(traces)) return traces;
    const text = theme.textColor || "#31333F";
    return traces.map((trace) => {
      if (!trace) return trace;
      const out = Object.assign({}, trace);
      if (trace.line) out.line = inked(trace.line, text);
      if (trace.marker) {
        out.marker = Object.assign({}, inked(trace.marker, text));
        if (trace.marker.line) out.marker.line = inked(trace.marker.line, text);
      }
      return out;
    });
  }

  // ---- the quick path: when only some scatter traces (and a few cheap layout items) changed,
  // move those traces with Plotly.animate(redraw: false) instead of redrawing the whole figure.
  // Measured on a contour map (a shaded image, 20 traces, 15 x 15 arrows): Plotly.react 50-80 ms,
  // the quick path 8-20 ms. Plotly.react recomputes and redraws every trace whenever any array
  // changed; an animation redraws only the traces it is given.
  //
  // plotly's partial redraw removes, on a subplot it redraws, the layers of trace types it was
  // not given (a heatmap under a moved scatter vanishes), and on a subplot it was given nothing
  // for, every trace: so every cartesian subplot gets at least one trace and every non-scatter
  // trace on it. Trace attributes the animation cannot show (legend entries, axes, trace type)
  // and attributes that disappeared (the animation merges into the old trace) fall back to
  // Plotly.react, as does any layout change outside QUICK_LAYOUT (annotations cost 20-40 ms
  // in relayout: moving labels are text traces instead); a new name in the legend is the one
  // legend change made after the move, by Plotly.restyle.
  const STRUCTURAL = ["type", "name", "showlegend", "legendgroup", "legendrank", "legend",
    "visible", "xaxis", "yaxis", "fill", "fillpattern", "stackgroup", "orientation", "groupnorm",
    "stackgaps", "hoveron", "uid", "zorder"];
  // A new range for an axis that keeps no aspect ratio (a side panel of losses, say) is applied
  // unless the learner zoomed that axis (then their view is kept, as uirevision keeps it).
  const RANGE = /^([xy]axis\d*)\.range$/;
  const LEGEND = new Set(["name", "showlegend", "legendgroup", "legendrank", "legend"]);
  const QUICK_LAYOUT = [/^title\.text$/, /^sliders\[\d+\]\.active$/,
    /^images\[\d+\]\.(source|x|y|sizex|sizey)$/, /^updatemenus\[\d+\]\.buttons\[\d+\]\.args/,
    /^[xy]axis\d*\.title\.text$/, RANGE];
  // What the chart shows: {data (its traces, inked), json (their texts as Python sent them),
  // layout, themeKey, height, stale}.
  let shown = null;

  function isLeaf(value) {
    return value === null || typeof value !== "object" || Array.isArray(value) ||
      ArrayBuffer.isView(value) || "bdata" in value;
  }

  // Every attribute of `old` is also in `next` (else the animation would keep the old one).
  function covers(old, next) {
    for (const key of Object.keys(old)) {
      if (!(key in next)) return false;
      const a = old[key], b = next[key];
      if (!isLeaf(a) && !isLeaf(b) && !covers(a, b)) return false;
      if (isLeaf(a) !== isLeaf(b)) return false;
    }
    return true;
  }

  // The layout's changed leaves as Plotly.relayout paths ("images[0].source": value).
  function layoutChanges(old, next, path, out) {
    const keys = new Set([...Object.keys(old || {}), ...Object.keys(next || {})]);
    for (const key of keys) {
      const a = old ? old[key] : undefined, b = next ? next[key] : undefined;
      const here = path ? `${path}.${key}` : key;
      if (Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
          a.every((v) => !isLeaf(v)) && b.every((v) => !isLeaf(v))) {
        a.forEach((v, i) => layoutChanges(v, b[i], `${here}[${i}]`, out));
      } else if (!isLeaf(a) && !isLeaf(b) && a !== undefined && b !== undefined) {
        layoutChanges(a, b, here, out);
      } else if (JSON.stringify(a) !== JSON.stringify(b)) {
        out[here] = b === undefined ? null : b;
      }
    }
    return out;
  }

  function fixedRange(layout, axis) {
    const spec = layout[axis.replace(/^([xy])/, "$1axis")];
    return Boolean(spec && Array.isArray(spec.range) && spec.autorange !== true &&
      spec.range.every((v) => v !== null && v !== undefined));
  }

  function subplotOf(trace) {
    return (trace.xaxis || "x") + (trace.yaxis || "y");
  }

  // Why the last draw was a full one (data-full-draw on the chart: tests and bench/ read it).
  let fullDrawReason = "";
  function miss(reason) {
    fullDrawReason = reason;
    return null;
  }

  // {traces, update, layout} for Plotly.animate and Plotly.relayout, or null: draw it all.
  // `texts` are the traces as Python wrote them; `traceAt(i)` parses (once) and inks trace i:
  // a trace whose text did not change is compared, and known, by what the chart shows.
  function quickPlan(texts, traceAt, layout, themeKey, height) {
    if (!shown) return miss("first figure");
    if (shown.themeKey !== themeKey) return miss("new theme");
    if (shown.height !== height) return miss("new height");
    if (shown.data.length !== texts.length) {
      return miss(`${shown.data.length} -> ${texts.length} traces`);
    }
    const patch = layoutChanges(shown.layout, layout, "", {});
    const slow = Object.keys(patch).find((path) => !QUICK_LAYOUT.some((re) => re.test(path)));
    if (slow !== undefined) return miss(`layout ${slow}`);
    const anchored = new Set();
    for (const [name, axis] of Object.entries(layout)) {
      if (/^[xy]axis\d*$/.test(name) && axis && axis.scaleanchor) {
        anchored.add(name);
        anchored.add(axis.scaleanchor.replace(/^([xy])/, "$1axis"));
      }
    }
    for (const path of Object.keys(patch)) {
      const range = RANGE.exec(path);
      if (!range) continue;
      if (anchored.has(range[1])) return miss(`layout ${path} (equal aspect)`);
      const held = chart.layout && chart.layout[range[1]];
      const sent = shown.layout[range[1]];
      if (held && sent && JSON.stringify(held.range) !== JSON.stringify(sent.range)) {
        delete patch[path]; // the learner zoomed this axis: keep their view
      }
    }
    const changed = [];
    const renamed = []; // [index, its new name in the legend]
    const bySubplot = new Map(); // cartesian subplot -> its trace indices
    for (let i = 0; i < texts.length; i++) {
      const same = texts[i] === shown.json[i] && !shown.stale.has(i);
      const trace = same ? shown.data[i] : traceAt(i), old = shown.data[i];
      const type = trace.type || "scatter";
      if (!NON_CARTESIAN.has(type)) {
        // A heatmap, contour or bar would be wiped (it cannot be animated): draw it all.
        if (type !== "scatter") return miss(`trace ${i}: ${type} on a cartesian subplot`);
        const subplot = subplotOf(trace);
        if (!bySubplot.has(subplot)) bySubplot.set(subplot, []);
        bySubplot.get(subplot).push(i);
      }
      if (same) continue;
      if (type !== "scatter" || (old.type || "scatter") !== "scatter") {
        return miss(`trace ${i}: ${type}`);
      }
      if (!fixedRange(layout, trace.xaxis || "x") || !fixedRange(layout, trace.yaxis || "y")) {
        // an autoranged axis must follow the new data: only a full draw does that
        return miss(`trace ${i}: autorange`);
      }
      if (!covers(old, trace)) return miss(`trace ${i}: attribute removed`);
      const inLegend = layout.showlegend !== false && trace.showlegend !== false;
      for (const key of STRUCTURAL) {
        if (LEGEND.has(key) && !inLegend) continue;
        if (JSON.stringify(old[key]) !== JSON.stringify(trace[key])) {
          // A new legend text (a run's "✕ diverged") is a Plotly.restyle of the name after
          // the move, 15 ms, where a full draw costs 50-70.
          if (key === "name" && typeof trace.name === "string") {
            renamed.push([i, trace.name]);
            continue;
          }
          return miss(`trace ${i}: ${key}`);
        }
      }
      if (old.marker && trace.marker &&
          JSON.stringify(old.marker.colorbar) !== JSON.stringify(trace.marker.colorbar)) {
        return miss(`trace ${i}: colorbar`);
      }
      changed.push(i);
    }
    const traces = new Set(changed);
    if (changed.length) {
      for (const indices of bySubplot.values()) {
        if (!indices.some((i) => traces.has(i))) traces.add(indices[0]);
      }
    }
    const order = [...traces].sort((a, b) => a - b);
    const moving = new Set(changed);
    const update = order.map((i) => (moving.has(i) ? traceAt(i) : {}));
    return { traces: order, update, layout: patch, changed, renamed };
  }

  // A frame played in the browser changed some traces: the next quick draw sends them whole.
  function markPlayed(name) {
    if (!shown) return;
    const frame = lastFrames.find((f) => String(f.name) === String(name));
    if (!frame || !Array.isArray(frame.data)) {
      shown = null;
      return;
    }
    const indices = Array.isArray(frame.traces) ? frame.traces : frame.data.map((_, i) => i);
    for (const i of indices) shown.stale.add(i);
  }

  // New frames for a chart drawn on the quick path: those of the same name are replaced in
  // place (addFrames does), the others deleted one by one (deleteFrames sorts a list of
  // indices as text, so a list deletes the wrong ones).
  async function replaceFrames(Plotly, frames) {
    const names = new Set(frames.map((frame) => String(frame.name)));
    const held = (chart._transitionData && chart._transitionData._frames) || [];
    for (let i = held.length - 1; i >= 0; i--) {
      if (!names.has(String(held[i].name))) await Plotly.deleteFrames(chart, [i]);
    }
    if (frames.length) await Plotly.addFrames(chart, frames);
  }

  // A change of layout that only swaps a text or a picture is made in the chart's SVG directly
  // (and in the layout plotly holds, so that later draws agree): Plotly.relayout would first
  // work out every trace's defaults again, 10-15 ms for a title on the gradient map (up to 60
  // on a busy page) and 15-35 ms for the descent map's new shading. Plotly.relayout does the
  // rest, and these two when the chart's SVG is not as expected (a title with markup, say).
  const PLAIN_TEXT = /^[^<>&$\n]+$/; // what plotly writes as the text itself (no markup, no TeX)
  const XLINK = "http://www.w3.org/1999/xlink";
  function swapInPlace(path, value) {
    const full = chart._fullLayout;
    if (!full || !chart.layout || typeof value !== "string") return false;
    if (path === "title.text") {
      const node = chart.querySelector(".g-gtitle > .gtitle");
      const old = full.title && full.title.text;
      if (!node || node.childElementCount || typeof old !== "string" || node.textContent !== old ||
          !PLAIN_TEXT.test(old) || !PLAIN_TEXT.test(value)) return false;
      node.textContent = value; // its anchor (text-anchor) keeps it where plotly put it
      node.setAttribute("data-unformatted", value);
      const held = chart.layout.title;
      const title = held && typeof held === "object" ? held : {};
      chart.layout.title = Object.assign(title, { text: value });
      full.title.text = value;
      return true;
    }
    const image = /^images\[(\d+)\]\.source$/.exec(path);
    if (image && value.startsWith("data:")) {
      const held = (chart.layout.images || [])[Number(image[1])];
      const drawn = (full.images || [])[Number(image[1])];
      if (!held || !drawn) return false;
      const nodes = [...chart.querySelectorAll("image")].filter((n) => n._imgSrc === drawn.source);
      if (nodes.length !== 1) return false;
      nodes[0].setAttributeNS(XLINK, "xlink:href", value); // as plotly sets a data: source
      nodes[0]._imgSrc = value;
      held.source = value;
      drawn.source = value;
      return true;
    }
    return false;
  }

  async function drawQuick(Plotly, plan) {
    // The layout's few changes (a title's text) first: plotly makes them in the same task as the
    // call, so they reach the screen in the same frame as the moved traces.
    const rest = {};
    const swapped = [];
    for (const [path, value] of Object.entries(plan.layout)) {
      if (swapInPlace(path, value)) swapped.push(path);
      else rest[path] = value;
    }
    chart.dataset.swapped = swapped.join(" "); // tests read which changes were made in place
    chart.dataset.relaid = Object.keys(rest).join(" "); // and which needed a Plotly.relayout
    const relaid = Object.keys(rest).length ? Plotly.relayout(chart, rest) : null;
    if (plan.changed.length) {
      selfAnimating = true;
      try {
        await Plotly.animate(chart, { data: plan.update, traces: plan.traces }, {
          mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 },
        });
      } finally {
        selfAnimating = false;
      }
    }
    if (relaid) await relaid;
    chart.dataset.renamed = plan.renamed.map(([i]) => i).join(" ");
    if (plan.renamed.length) {
      await Plotly.restyle(chart, { name: plan.renamed.map(([, name]) => name) },
        plan.renamed.map(([i]) => i));
    }
  }

  // ---- export: the chart as a standalone HTML file and its data as CSV (buttons in the mode bar)
  let plotlySource = null;
  let exportName = "chart";
  let exportParts = null; // the figure as Python sent it (the template's own colours), as text
  async function plotlyText() {
    if (plotlySource === null) plotlySource = await (await fetch("plotly.min.js")).text();
    return plotlySource;
  }
  function save(name, type, text) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }
  async function downloadHtml() {
    if (!exportParts) return;
    const source = (await plotlyText()).replace(/<\/script/gi, "<\\/script");
    const figure = {
      data: exportParts.traces.map((text) => JSON.parse(text)),
      layout: Object.assign(JSON.parse(exportParts.layout), { autosize: true, height: undefined }),
      frames: exportParts.frames ? JSON.parse(exportParts.frames) : [],
    };
    const json = JSON.stringify(figure).replace(/</g, "\\u003c");
    const text = chart.dataset.summary ? `<p>${escapeHtml(chart.dataset.summary)}</p>` : "";
    save(`${exportName}.html`, "text/html",
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
      `<title>${escapeHtml(exportName)}</title><style>body{margin:0;font-family:sans-serif}` +
      `#chart{height:90vh}p{margin:8px 16px}</style></head><body><div id="chart"></div>${text}` +
      `<script>${source}</script><script>const figure = ${json};\n` +
      `Plotly.newPlot("chart", {data: figure.data, layout: figure.layout, frames: figure.frames,` +
      ` config: {responsive: true, displaylogo: false}});</script></body></html>\n`);
  }
  function csvCell(value) {
    if (value === null || value === undefined || (typeof value === "number" && !isFinite(value))) {
      return "";
    }
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }
  function chartRows() {
    const rows = [["trace", "point", "x", "y", "z", "r", "theta"]];
    const at = (values, k) => (values && k < values.length ? values[k] : "");
    for (const trace of chart._fullData || []) {
      if (trace.visible === false) continue;
      const name = trace.name || trace.type;
      const { x, y, z } = trace;
      if (z && z.length && (Array.isArray(z[0]) || ArrayBuffer.isView(z[0]))) {
        for (let i = 0; i < z.length; i++) {
          for (let j = 0; j < z[i].length; j++) {
            rows.push([name, `${i} ${j}`, x ? x[j] : j, y ? y[i] : i, z[i][j], "", ""]);
          }
        }
        continue;
      }
      const count = Math.max(...[x, y, z, trace.r, trace.theta].map((v) => (v ? v.length : 0)));
      for (let k = 0; k < count; k++) {
        rows.push([name, k, at(x, k), at(y, k), at(z, k), at(trace.r, k), at(trace.theta, k)]);
      }
    }
    return rows;
  }
  function downloadCsv() {
    save(`${exportName}.csv`, "text/csv",
      chartRows().map((row) => row.map(csvCell).join(",")).join("\n") + "\n");
  }
  const TABLE_ICON = {
    width: 1000, height: 1000,
    path: "M100 150h800v700H100zM170 220v140h280V220zm350 0v140h310V220zM170 430v140h280V430z" +
      "m350 0v140h310V430zM170 640v140h280V640zm350 0v140h310V640z",
  };
  // Made once: Plotly.react compares the config's functions by identity, and a new config
  // makes it draw the chart from scratch (losing the user's zoom, and slower).
  let exportButtonsMade = null;
  function exportButtons() {
    if (exportButtonsMade === null) exportButtonsMade = makeExportButtons();
    return exportButtonsMade;
  }
  function makeExportButtons() {
    return [
      { name: "Download as HTML", title: "Download as an interactive HTML file",
        icon: window.Plotly.Icons.disk, click: () => { downloadHtml(); } },
      { name: "Download data as CSV", title: "Download the chart's data as CSV",
        icon: TABLE_ICON, click: () => { downloadCsv(); } },
    ];
  }
  // The mode bar's buttons (PNG, HTML, CSV, zoom...) reachable with Tab and pressed with Enter.
  function keyboardModebar() {
    for (const button of chart.querySelectorAll(".modebar-btn")) {
      if (button.dataset.keyboard) continue;
      button.dataset.keyboard = "1";
      button.tabIndex = 0;
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", button.getAttribute("data-title") || "chart tool");
      button.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
        }
      });
    }
  }
  // What the chart shows now, in words: the plot's label for screen readers, and a "Chart as
  // text" line under it for anyone who prefers reading.
  document.getElementById("as-text").addEventListener("toggle", () => {
    setHeight(document.body.scrollHeight);
  });
  function showSummary(text) {
    const box = document.getElementById("as-text");
    chart.dataset.summary = text || "";
    if (text) {
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", text);
      document.getElementById("summary-text").textContent = text;
    }
    box.hidden = !text;
  }

  // ---- drawing: keep only the newest figure; draw in a loop so updates arriving mid-draw merge
  let pending = null; // newest args not yet drawn
  let drawing = false;
  let renderCount = 0;
  let lastDrawn = null; // {revision, themeKey, height}
  let lastFramesRevision; // undefined until the first draw, so the first frames are added
  let lastFramesTheme; // the theme the frames were inked for
  let lastFramesPresenting = false; // whether the frames were scaled for a projector
  let lastFrames = []; // the frames the chart holds
  let sentHeight = null;

  function nextPaint() {
    return new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }

  // WebGL traces: plotly draws their scenes in its own animation frames, not in the page's DOM.
  const WEBGL = /3d$|gl$|^(surface|cone|streamtube|volume|isosurface|parcoords|splom)$/;
  function usesWebgl(data) {
    return data.some((trace) => WEBGL.test(trace.type || "scatter"));
  }

  // A change to the chart's DOM that can show (plotly re-sets some attributes to what they were).
  function visible(record) {
    return record.type !== "attributes" ||
      record.oldValue !== record.target.getAttribute(record.attributeName);
  }

  // When a draw's picture reached the screen (Date.now() at the start of the frame that paints
  // it). A 2D draw changes the chart's SVG in the microtasks that follow the plotly calls, so the
  // frame requested at the call is the one that paints it: waiting for the call's promise (which
  // plotly resolves from a timer, after that frame) and then one more frame marked it 10-30 ms
  // late. A MutationObserver checks it: should the chart change visibly after that frame (or
  // draw a WebGL scene, in plotly's own frames, which the observer cannot see), the frame after
  // the promise resolved counts instead. ``data-painted-by`` says which ("frame" or "after").
  async function paintedAfter(draw, webgl) {
    if (webgl) {
      await draw();
      await nextPaint();
      chart.dataset.paintedBy = "after";
      return Date.now();
    }
    let frameAt = null;
    let changedLater = false;
    const observer = new MutationObserver((records) => {
      if (frameAt !== null && records.some(visible)) changedLater = true;
    });
    observer.observe(chart, {
      subtree: true, childList: true, attributes: true, characterData: true, attributeOldValue: true,
    });
    const frame = new Promise((resolve) => requestAnimationFrame(() => {
      frameAt = Date.now();
      resolve();
    }));
    try {
      await draw();
      await frame;
    } finally {
      if (observer.takeRecords().some(visible)) changedLater = true;
      observer.disconnect();
    }
    chart.dataset.paintedBy = changedLater ? "after" : "frame";
    if (!changedLater) return frameAt;
    await nextPaint();
    return Date.now();
  }

  // ---- charts of one page take turns. All live_chart iframes share the page's main thread (same
  // origin), and a 3D redraw holds it for 100-200 ms in software WebGL. A chart that `follows`
  // (priority "low") gets from Python the revisions this rerun sent the page's other charts
  // (`after`, chart key -> revision) and draws once each of them has painted its revision. The
  // book of painted revisions is kept on the parent window; no chart waits longer than
  // MAX_WAIT_MS (a chart removed before it painted), and a newer figure ends the wait.
  const MAX_WAIT_MS = 1500;
  const QUIET_MS = 50;
  // A book kept on the page's window, shared by its charts (null under a parent of another
  // origin: charts then do not coordinate).
  function parentBook(name) {
    try {
      const parent = window.parent;
      if (!parent[name]) parent[name] = new Map();
      return parent[name];
    } catch (err) {
      return null;
    }
  }
  const hub = parentBook("__liveChartsPainted");
  // What each chart received (key -> {revision, at, owner}) is booked beside what it painted,
  // and both are announced with a "live-chart" event on the page's window: readouts that
  // follow the charts (ui/fragments.py) rerun once the charts painted what they received.
  const received = parentBook("__liveChartsReceived");
  function announce() {
    try {
      window.parent.dispatchEvent(new Event("live-chart"));
    } catch (err) {
      // a parent of another origin: nobody follows this chart
    }
  }
  const owner = {}; // this iframe, in the book: a chart that leaves the page takes its entry out
  function arrived(args, at) {
    if (!received || !args.key || args.priority === "low") return;
    const book = received.get(String(args.key));
    if (book && book.revision === String(args.revision) && book.owner === owner) return;
    received.set(String(args.key), { revision: String(args.revision), at, owner });
    announce();
  }
  window.addEventListener("pagehide", () => {
    if (!received) return;
    for (const [key, book] of received) {
      if (book.owner === owner) received.delete(key);
    }
    announce();
  });
  function painted(args) {
    if (hub && args.key) hub.set(String(args.key), String(args.revision));
    announce();
  }
  function othersPainted(after, own) {
    for (const [key, revision] of Object.entries(after || {})) {
      if (hub.get(key) !== revision) return false;
    }
    // Also every other chart of the page (same key prefix) that has received a figure it has
    // not painted yet, or did so less than QUIET_MS ago: one that a later fragment of the same
    // run sent (a study's chart, further down) may still be on its way.
    const prefix = String(own || "").split(".")[0] + ".";
    for (const [key, book] of received || []) {
      if (key === own || !key.startsWith(prefix)) continue;
      if (hub.get(key) !== book.revision || Date.now() - book.at < QUIET_MS) return false;
    }
    return true;
  }
  async function othersSettled(after, own) {
    const start = Date.now();
    await nextPaint();
    while (hub && pending === null && !othersPainted(after, own) &&
           Date.now() - start < MAX_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
  }

  function markDrawn(args, themeKey, height, receivedAt, drawnAt) {
    errorBox.hidden = true;
    showSummary(args.summary);
    chart.dataset.receivedAt = String(receivedAt);
    chart.dataset.drawMs = String(Math.round(drawnAt - receivedAt));
    renderCount += 1;
    chart.dataset.revision = String(args.revision);
    chart.dataset.renderCount = String(renderCount);
    chart.dataset.drawnAt = String(drawnAt);
    lastDrawn = { revision: args.revision, baseRevision: args.base_revision, themeKey, height };
    painted(args);
  }

  async function drawLoop() {
    drawing = true;
    try {
      const Plotly = await loadPlotly();
      while (pending !== null) {
        const { args, theme, receivedAt } = pending;
        pending = null;
        const themeKey = JSON.stringify([theme || null, Boolean(args.presentation)]);
        const height = args.height || 460;
        if (lastDrawn && lastDrawn.revision === args.revision &&
            lastDrawn.themeKey === themeKey && lastDrawn.height === height) {
          continue; // same figure, same theme: nothing to draw
        }
        if (args.priority === "low" && lastDrawn) {
          // A chart that follows the same slider: let the charts the learner watches paint
          // first, then draw (newer updates merge meanwhile).
          await othersSettled(args.after, args.key);
          if (pending !== null) continue;
        }
        const sameFigure = lastDrawn && args.base_revision &&
          lastDrawn.baseRevision === args.base_revision &&
          lastDrawn.themeKey === themeKey && lastDrawn.height === height;
        try {
          if (sameFigure && args.frame_name != null) {
            // Only the current frame moved (a slider outside the chart): play that frame, as
            // the chart's own slider does, instead of redrawing the whole figure. Python asked
            // for this frame, so the slider's move is not reported back to it.
            selfAnimating = true;
            let drawnAt;
            try {
              drawnAt = await paintedAfter(() => Plotly.animate(chart, [args.frame_name], {
                mode: "immediate", frame: { duration: 0, redraw: false },
                transition: { duration: 0 },
              }), usesWebgl(chart.data || []));
            } finally {
              selfAnimating = false;
            }
            markPlayed(args.frame_name);
            clicksWanted = Boolean(args.clicks);
            markDrawn(args, themeKey, height, receivedAt, drawnAt);
            continue;
          }
          const texts = args.traces || [];
          const presenting = Boolean(args.presentation);
          // A trace as the chart draws it: parsed from Python's text, scaled for a projector,
          // inked for the theme. Parsed only when needed (the quick path parses the traces
          // whose text changed); each call gives a new object (plotly keeps what it is given).
          const drawn = (text) => {
            const trace = JSON.parse(text);
            return inkFollowsText([presenting ? projectorTrace(trace) : trace], theme)[0];
          };
          const parsed = new Map();
          const traceAt = (i) => {
            if (!parsed.has(i)) parsed.set(i, drawn(texts[i]));
            return parsed.get(i);
          };
          // Trace types and axes name the layout's axes to colour: an unchanged trace's are
          // those the chart shows.
          const unchanged = (i) => shown && shown.themeKey === themeKey &&
            shown.json[i] === texts[i] && !shown.stale.has(i);
          const heads = texts.map((_, i) => (unchanged(i) ? shown.data[i] : traceAt(i)));
          const sentLayout = JSON.parse(args.layout || "{}");
          const layout = applyTheme(
            heads, presenting ? projectorLayout(sentLayout) : sentLayout, theme);
          delete layout.height; // the iframe's height is the chart's height
          delete layout.width;
          layout.autosize = true;
          // A snapshot of the layout sent (plotly fills in and changes the objects it is given).
          const layoutJson = JSON.stringify(layout);
          const framesChanged = args.frames_revision !== lastFramesRevision ||
            themeKey !== lastFramesTheme || presenting !== lastFramesPresenting;
          const frames = framesChanged ? (args.frames ? JSON.parse(args.frames) : []).map(
            (frame) => Object.assign({}, frame, {
              data: inkFollowsText(presenting ? (frame.data || []).map(projectorTrace) : frame.data,
                theme),
            })) : null;
          const plan = quickPlan(texts, traceAt, layout, themeKey, height);
          const webgl = usesWebgl(heads);
          let drawnAt;
          let data = null; // the traces handed to Plotly.react, on a full draw
          if (plan) {
            drawnAt = await paintedAfter(() => drawQuick(Plotly, plan), webgl);
            if (frames) await replaceFrames(Plotly, frames);
          } else {
            chart.style.height = `${height}px`;
            const config = {
              responsive: true,
              displaylogo: false,
              // PNG at 3x: sharp on a slide or a projector.
              toImageButtonOptions: { filename: args.filename || args.key || "chart", scale: 3 },
              modeBarButtonsToAdd: exportButtons(),
              modeBarButtonsToRemove: ["sendDataToCloud"],
            };
            // Frames that did not change (only the current step moved) are not re-added:
            // Plotly.react keeps the chart's frames when none are passed.
            data = texts.map((_, i) => traceAt(i));
            const next = { data, layout, config };
            if (frames) next.frames = frames;
            drawnAt = await paintedAfter(() => Plotly.react(chart, next), webgl);
          }
          chart.dataset.fullDraw = plan ? "" : fullDrawReason;
          exportName = args.filename || args.key || "chart";
          exportParts = { traces: texts, layout: args.layout || "{}", frames: args.frames };
          keyboardModebar();
          // What the chart shows, kept apart from the objects plotly holds (and changes): an
          // unchanged trace keeps its entry, the others are parsed again.
          const kept = (i) => data === null && unchanged(i);
          shown = {
            data: texts.map((text, i) => (kept(i) ? shown.data[i] : drawn(text))),
            json: texts, layout: JSON.parse(layoutJson), themeKey, height, stale: new Set(),
          };
          if (frames) lastFrames = frames;
          lastFramesRevision = args.frames_revision;
          lastFramesTheme = themeKey;
          lastFramesPresenting = presenting;
          listenToSliders();
          clicksWanted = Boolean(args.clicks);
          if (clicksWanted) listenToClicks();
          markDrawn(args, themeKey, height, receivedAt, drawnAt);
        } catch (err) {
          shown = null; // the next figure is drawn in full
          errorBox.hidden = false;
          errorBox.textContent = `live_chart could not draw this figure: ${err}`;
          painted(args); // done with it: nothing waits for a figure that cannot be drawn
        }
        setHeight(document.body.scrollHeight);
      }
    } catch (err) {
      errorBox.hidden = false;
      errorBox.textContent = `live_chart: ${err}`;
      setHeight(document.body.scrollHeight);
    } finally {
      drawing = false;
    }
  }

  // A plotly slider moved by the user (its frames play in the browser, no round trip) tells
  // Python where it stopped, so server-side state (readouts, tables) follows. Debounced: a drag
  // across many steps sends one value, not a rerun per step. While the chart's own play button
  // runs its frames nothing is sent (a rerun mid-play would stop the animation): where it
  // stopped is sent once, when it ends or is paused. A frame Python asked for is not echoed.
  let sliderListening = false;
  let sliderTimer = null;
  let selfAnimating = false; // Python's own frame is playing (see drawLoop)
  let unsent = null; // where an animation moved the slider, sent when it ends
  function sendSlider(value, delay) {
    clearTimeout(sliderTimer);
    sliderTimer = setTimeout(() => {
      send("streamlit:setComponentValue", { value, dataType: "json" });
    }, delay);
  }
  function animationEnded() {
    if (unsent !== null && !selfAnimating) sendSlider(unsent, 0);
    unsent = null;
  }
  function listenToSliders() {
    if (sliderListening || typeof chart.on !== "function") return;
    sliderListening = true;
    chart.on("plotly_animated", animationEnded);
    chart.on("plotly_animatingframe", (event) => {
      if (event && event.name != null && !selfAnimating) markPlayed(event.name);
    });
    chart.on("plotly_animationinterrupted", animationEnded);
    chart.on("plotly_sliderchange", (event) => {
      if (!event || !event.step || selfAnimating) return;
      const value = {
        slider: (event.slider && event.slider._index) || 0,
        label: String(event.step.label),
        value: String(event.step.value),
      };
      clearTimeout(sliderTimer);
      if (event.interaction) {
        unsent = null;
        sendSlider(value, 150);
      } else {
        unsent = value; // moved by a playing animation: sent once it ends or is paused
      }
    });
  }

  // Clicks on the plot area (live_chart(..., clicks=True)): a press and release that did not
  // drag (a drag zooms) is reported in data coordinates with the subplot it fell in, e.g.
  // {click: {x: 1.2, y: -0.4, subplot: "xy", at: 1700000000000}} ("at" tells repeated clicks
  // apart), 300 ms after the click, unless a second click makes it a double-click (which
  // resets the zoom). Legend, buttons, sliders and the mode bar are not the plot area.
  let clickListening = false;
  let clicksWanted = false;
  let pressed = null;
  let clickTimer = null;
  const DOUBLE_CLICK_MS = 300; // plotly's own double-click window
  const NOT_PLOT_AREA = ".legend, .updatemenu-container, .slider-container, .modebar-container";
  function dataPoint(clientX, clientY) {
    const full = chart._fullLayout;
    if (!full || !full._plots) return null;
    const box = chart.getBoundingClientRect();
    const px = clientX - box.left, py = clientY - box.top;
    for (const [subplot, plot] of Object.entries(full._plots)) {
      const xa = plot.xaxis, ya = plot.yaxis;
      if (!xa || !ya || typeof xa.p2c !== "function") continue;
      const u = px - xa._offset, v = py - ya._offset;
      if (u < 0 || u > xa._length || v < 0 || v > ya._length) continue;
      const x = xa.p2c(u), y = ya.p2c(v);
      if (Number.isFinite(x) && Number.isFinite(y)) return { x, y, subplot };
    }
    return null;
  }
  function listenToClicks() {
    if (clickListening) return;
    clickListening = true;
    chart.addEventListener("pointerdown", (event) => {
      if (!clicksWanted || event.button !== 0) return;
      const outside = event.target && event.target.closest && event.target.closest(NOT_PLOT_AREA);
      pressed = outside ? null : { x: event.clientX, y: event.clientY, t: Date.now() };
    }, true);
    window.addEventListener("pointerup", (event) => {
      const down = pressed;
      pressed = null;
      if (!down || !clicksWanted) return;
      if (Math.hypot(event.clientX - down.x, event.clientY - down.y) > 4) return; // a drag
      if (Date.now() - down.t > 800) return;
      const point = dataPoint(down.x, down.y);
      if (point === null) return;
      // A second click soon after is a double-click (plotly resets the zoom): not reported.
      if (clickTimer !== null) {
        clearTimeout(clickTimer);
        clickTimer = null;
        return;
      }
      clickTimer = setTimeout(() => {
        clickTimer = null;
        chart.dataset.clicks = String(Number(chart.dataset.clicks || 0) + 1);
        send("streamlit:setComponentValue", {
          value: { click: Object.assign(point, { at: Date.now() }) }, dataType: "json",
        });
      }, DOUBLE_CLICK_MS);
    }, true);
  }

  function setHeight(height) {
    if (height !== sentHeight) {
      sentHeight = height;
      send("streamlit:setFrameHeight", { height });
    }
  }

  window.addEventListener("message", (event) => {
    if (!event.data || event.data.type !== "streamlit:render") return;
    const args = event.data.args || {};
    const theme = event.data.theme;
    if (theme) {
      document.body.style.background = theme.backgroundColor || "transparent";
      document.body.style.color = theme.textColor || "";
    }
    // Reserve the space at once so the page does not jump while plotly loads.
    setHeight(Math.max(args.height || 460, sentHeight || 0));
    document.body.classList.toggle("present", Boolean(args.presentation));
    pending = { args, theme, receivedAt: Date.now() };
    arrived(args, pending.receivedAt);
    if (!drawing) drawLoop();
  });

  // For tests: draw what the chart shows now again from scratch (Plotly.newPlot), so that a
  // picture drawn on the quick path can be compared with the same figure drawn in full.
  window.liveChartRedrawFully = async () => {
    const Plotly = await loadPlotly();
    if (!shown) return false;
    // Traces a played frame changed are as plotly holds them (the frame merged in).
    const data = shown.data.map((trace, i) =>
      JSON.parse(JSON.stringify(shown.stale.has(i) ? chart.data[i] : trace)));
    await Plotly.newPlot(chart, {
      data,
      layout: JSON.parse(JSON.stringify(shown.layout)),
      frames: lastFrames,
      config: { responsive: true, displaylogo: false },
    });
    await nextPaint();
    return true;
  };

  send("streamlit:componentReady", { apiVersion: 1 });
})();
