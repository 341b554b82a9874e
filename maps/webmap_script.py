"""The CSS and JavaScript of the offline web maps, inlined into every page.

The script reads the page's specification from a ``<script type="application/json">``
element: the levels with the names of their Leaflet layers, the views (voice verdict, signal,
RSRQ and SINR per operator), the colours and the translated texts. It builds the level and view
switcher, swaps layers and legends, and draws the sample points on one canvas. Every text it
writes goes through ``textContent``, never ``innerHTML``, so names from files cannot add markup.
When it has finished, it sets ``data-zb-ready`` on the ``<html>`` element to the milliseconds
since navigation started.
"""

PAGE_CSS = """
.zb-panel { position: absolute; z-index: 1000; background: rgba(255, 255, 255, 0.95);
  border: 1px solid #777; border-radius: 4px; padding: 6px 9px; font: 12px/1.35 sans-serif;
  color: #111; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
.zb-title { top: 10px; left: 50px; max-width: 45%; }
.zb-title h1 { font-size: 15px; margin: 0; }
.zb-title p { margin: 2px 0 0 0; }
.zb-title .zb-level-name { font-weight: bold; font-size: 14px; }
.zb-legend { bottom: 12px; left: 10px; width: 250px; max-height: calc(100% - 140px); overflow-y: auto; }
.zb-legend h2, .zb-control h2 { font-size: 12px; margin: 6px 0 3px 0; }
.zb-legend h2:first-child, .zb-control h2:first-child { margin-top: 0; }
.zb-legend .zb-shown ~ .zb-shown h2 { margin-top: 8px; }
.zb-legend ul { list-style: none; margin: 0; padding: 0; }
.zb-legend li { display: flex; align-items: center; margin: 2px 0; }
.zb-legend p { margin: 4px 0 0 0; }
.zb-legend [data-kind] { display: none; }
.zb-legend [data-kind].zb-shown { display: block; }
.zb-swatch { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
  border: 1px solid #333; flex: none; }
.zb-swatch.zb-dashed { border-style: dashed; }
.zb-dot { display: inline-block; width: 16px; height: 16px; margin: 0 6px 0 1px; line-height: 16px;
  border-radius: 50%; border: 2px solid #000; flex: none; text-align: center; font-size: 10px;
  font-weight: bold; box-sizing: border-box; }
.zb-dot.zb-existing { background: #000; color: #fff; }
.zb-dot.zb-proposed { background: #fff; color: #000; border-style: dashed; }
.zb-control { top: 10px; right: 10px; width: 235px; max-height: calc(100% - 40px); overflow-y: auto; }
.zb-control fieldset { border: none; margin: 0 0 4px 0; padding: 0; }
.zb-control legend { font-weight: bold; padding: 0; margin: 4px 0 1px 0; }
.zb-control label { display: inline-flex; align-items: center; margin: 1px 8px 1px 0; cursor: pointer; }
.zb-control label.zb-row { display: flex; }
.zb-control input { margin: 0 4px 0 0; }
.zb-control .zb-group { margin: 2px 0 3px 0; }
.zb-control .zb-group-name { display: block; color: #333; }
.zb-popup { font-size: 12px; }
.zb-popup h3 { font-size: 14px; margin: 0 0 4px 0; }
.zb-popup p { margin: 6px 0 2px 0; }
.zb-popup table { border-collapse: collapse; margin: 4px 0; font-size: 12px; }
.zb-popup th, .zb-popup td { text-align: left; padding: 1px 6px 1px 0; vertical-align: top; }
.zb-popup td.zb-number { text-align: right; }
.zb-popup ul { margin: 2px 0 0 16px; padding: 0; }
.zb-popup p.zb-note { margin: 0 0 4px 0; font-size: 11px; color: #333; }
.leaflet-tooltip.zb-room-label { background: transparent; border: none; box-shadow: none;
  padding: 0; font: bold 11px sans-serif; color: #000;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.leaflet-tooltip.zb-room-label::before { display: none; }
.zb-line-icon { display: flex; align-items: center; justify-content: center; border-radius: 50%;
  border: 2.5px solid #000; font: bold 12px sans-serif; box-sizing: border-box; }
.zb-line-icon.zb-existing { background: #000; color: #fff; }
.zb-line-icon.zb-proposed { background: #fff; color: #000; border-style: dashed; }
.zb-point-tip { font-size: 12px; }
@media print { .zb-control, .leaflet-control-zoom { display: none; } }
"""

# The level and view switcher, the legend toggling and the sample point layer.
PAGE_SCRIPT = r"""
(function () {
  "use strict";
  var spec = JSON.parse(document.getElementById("zb-spec").textContent);
  var map = window[spec.map];
  var levels = {};
  spec.levels.forEach(function (level) { levels[level.id] = level; });
  var views = {};
  spec.views.forEach(function (view) { views[view.key] = view; });
  var state = {level: spec.initial.level, view: spec.initial.view, labels: true, lines: true, points: false};
  readHash();
  var active = [];
  var pointData = {};

  // The address's fragment keeps the view, such as #level=3&view=signal_dbm:208-01&points=1.
  function readHash() {
    var fragment = window.location.hash.replace(/^#/, "");
    fragment.split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var key = decodeURIComponent(parts[0] || ""), value = decodeURIComponent(parts[1] || "");
      if (key === "level" && value in levels) { state.level = value; }
      if (key === "view" && value in views) { state.view = value; }
      if (key === "labels" || key === "lines" || key === "points") { state[key] = value === "1"; }
    });
  }

  function writeHash() {
    var fragment = "level=" + encodeURIComponent(state.level) + "&view=" + encodeURIComponent(state.view) +
      "&labels=" + (state.labels ? 1 : 0) + "&lines=" + (state.lines ? 1 : 0) + "&points=" + (state.points ? 1 : 0);
    try {
      window.history.replaceState(null, "", "#" + fragment);
    } catch (error) {
      // Some browsers refuse to change the address of a local file; the view still works.
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function radio(name, value, text, checked, onChange) {
    var label = element("label");
    var input = element("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.checked = checked;
    input.addEventListener("change", function () { if (input.checked) { onChange(value); } });
    label.appendChild(input);
    label.appendChild(document.createTextNode(text));
    return label;
  }

  function checkbox(key, text) {
    var label = element("label", "zb-row");
    var input = element("input");
    input.type = "checkbox";
    input.name = "zb-overlay";
    input.value = key;
    input.checked = state[key];
    input.addEventListener("change", function () { state[key] = input.checked; apply(false); });
    label.appendChild(input);
    label.appendChild(document.createTextNode(text));
    return label;
  }

  function buildControl() {
    var panel = document.getElementById("zb-control");
    if (spec.levels.length > 1) {
      var levelSet = element("fieldset");
      levelSet.appendChild(element("legend", null, spec.text.level));
      spec.levels.forEach(function (level) {
        var label = radio("zb-level", level.id, level.title, level.id === state.level, function (value) {
          state.level = value;
          apply(true);
        });
        label.className = "zb-row";
        levelSet.appendChild(label);
      });
      panel.appendChild(levelSet);
    }
    var viewSet = element("fieldset");
    viewSet.appendChild(element("legend", null, spec.text.show));
    spec.groups.forEach(function (group) {
      var box = element("div", "zb-group");
      box.appendChild(element("span", "zb-group-name", group.title));
      spec.views.forEach(function (view) {
        if (view.group !== group.key) { return; }
        box.appendChild(radio("zb-view", view.key, view.label, view.key === state.view, function (value) {
          state.view = value;
          apply(false);
        }));
      });
      viewSet.appendChild(box);
    });
    panel.appendChild(viewSet);
    var overlaySet = element("fieldset");
    overlaySet.appendChild(element("legend", null, spec.text.also));
    overlaySet.appendChild(checkbox("labels", spec.text.labels));
    overlaySet.appendChild(checkbox("lines", spec.text.lines));
    overlaySet.appendChild(checkbox("points", spec.text.points));
    panel.appendChild(overlaySet);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
  }

  function layersToShow(level, view) {
    var names = [];
    if (level.background) { names.push(level.background); }
    if (level.views[view.key]) { names.push(level.views[view.key]); }
    names.push(level.rooms);
    if (level.doors) { names.push(level.doors); }
    if (state.labels) { names.push(level.labels); }
    if (state.lines && level.lines) { names.push(level.lines); }
    return names;
  }

  function verdictStyle(key) {
    return function (feature) {
      var verdicts = feature.properties.verdicts || {};
      var verdict = verdicts[key] || "insufficient_data";
      return {fillColor: spec.verdictColors[verdict], fillOpacity: spec.verdictOpacity, stroke: false};
    };
  }

  function showLegend(kind) {
    var sections = document.querySelectorAll("#zb-legend [data-kind]");
    Array.prototype.forEach.call(sections, function (section) {
      var kinds = section.getAttribute("data-kind").split(" ");
      section.classList.toggle("zb-shown", kinds.indexOf(kind) >= 0 || kinds.indexOf("all") >= 0);
    });
  }

  function apply(fit) {
    var level = levels[state.level];
    var view = views[state.view] || spec.views[0];
    var needed = layersToShow(level, view);
    active.forEach(function (name) {
      if (needed.indexOf(name) < 0) { map.removeLayer(window[name]); }
    });
    needed.forEach(function (name) {
      if (!map.hasLayer(window[name])) { map.addLayer(window[name]); }
    });
    active = needed;
    if (view.verdict) { window[level.fill].setStyle(verdictStyle(view.verdict)); }
    showLegend(view.kind);
    document.getElementById("zb-level-name").textContent = level.title;
    updatePoints(level, view);
    writeHash();
    if (fit) {
      map.fitBounds(level.bounds, {
        paddingTopLeft: spec.fitPadding[0], paddingBottomRight: spec.fitPadding[1], animate: false
      });
    }
    fitLabels();
  }

  // Hides the room refs that are wider than their room at the current zoom.
  function fitLabels() {
    var level = levels[state.level];
    if (!state.labels || !level) { return; }
    var origin = map.latLngToContainerPoint([0, 0]), unit = map.latLngToContainerPoint([1, 1]);
    var pixelsPerMetre = Math.abs(unit.x - origin.x);
    window[level.labels].eachLayer(function (collection) {
      collection.eachLayer(function (marker) {
        var tooltip = marker.getTooltip();
        var node = tooltip && tooltip.getElement();
        if (!node) { return; }
        var size = marker.feature.properties.size_m;
        var fits = size[0] * pixelsPerMetre >= marker.feature.properties.chars * spec.labelCharPx + 4 &&
          size[1] * pixelsPerMetre >= 14;
        node.style.visibility = fits ? "" : "hidden";
      });
    });
  }

  function levelPoints(level) {
    if (!(level.id in pointData)) {
      var node = level.points ? document.getElementById(level.points) : null;
      pointData[level.id] = node ? JSON.parse(node.textContent) : {count: 0};
    }
    return pointData[level.id];
  }

  var PointLayer = L.Layer.extend({
    initialize: function () {
      this._data = {count: 0};
      this._operator = -1;
      this._metric = "signal_dbm";
      this._screen = null;
      this._tip = L.tooltip({direction: "top", offset: [0, -6], className: "zb-point-tip"});
    },
    setPoints: function (data, operator, metric) {
      this._data = data;
      this._operator = operator;
      this._metric = metric;
      if (this._map) { this._redraw(); }
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "zb-points leaflet-zoom-hide");
      map.getPane("zb-points").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("mousemove", this._hover, this);
      map.on("mouseout", this._hideTip, this);
      this._redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("mousemove", this._hover, this);
      map.off("mouseout", this._hideTip, this);
      this._hideTip();
    },
    _redraw: function () {
      var started = performance.now();
      var map = this._map;
      var size = map.getSize();
      var ratio = window.devicePixelRatio || 1;
      var canvas = this._canvas;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      var context = canvas.getContext("2d");
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, size.x, size.y);
      var data = this._data;
      if (!data.count) { this._screen = null; canvas.setAttribute("data-points", "0"); return; }
      // CRS.Simple is affine: container x = x0 + sx * x_m, container y = y0 + sy * y_m.
      var origin = map.latLngToContainerPoint([0, 0]);
      var unit = map.latLngToContainerPoint([1, 1]);
      var sx = unit.x - origin.x, sy = unit.y - origin.y;
      var classes = data.classes[this._metric];
      // Points of about 0.25 m, from 1.5 to 4 pixels, outlined when large enough to show it.
      var radius = Math.max(1.5, Math.min(4, Math.abs(sx) * 0.25));
      var screenX = new Float32Array(data.count), screenY = new Float32Array(data.count);
      var drawnFlags = new Uint8Array(data.count);
      var buckets = [[], [], [], [], []];
      var drawn = 0;
      for (var i = 0; i < data.count; i++) {
        var cls = classes.charCodeAt(i) - 48;
        if (cls < 0 || cls > 4 || (this._operator >= 0 && data.op[i] !== this._operator)) { continue; }
        var px = origin.x + sx * data.x[i], py = origin.y + sy * data.y[i];
        if (px < -radius || py < -radius || px > size.x + radius || py > size.y + radius) { continue; }
        screenX[i] = px; screenY[i] = py; drawnFlags[i] = 1;
        buckets[cls].push(i);
        drawn++;
      }
      canvas.setAttribute("data-points", String(drawn));
      context.lineWidth = 0.7;
      context.strokeStyle = "rgba(0, 0, 0, 0.7)";
      var outlined = radius >= 2;
      for (var c = 0; c < 5; c++) {
        var bucket = buckets[c];
        if (!bucket.length) { continue; }
        context.fillStyle = spec.classColors[c];
        context.beginPath();
        for (var j = 0; j < bucket.length; j++) {
          var k = bucket[j];
          context.moveTo(screenX[k] + radius, screenY[k]);
          context.arc(screenX[k], screenY[k], radius, 0, 2 * Math.PI);
        }
        context.fill();
        if (outlined) { context.stroke(); }
      }
      this._screen = {x: screenX, y: screenY, drawn: drawnFlags};
      canvas.setAttribute("data-draw-ms", (performance.now() - started).toFixed(1));
    },
    _hover: function (event) {
      var screen = this._screen;
      if (!screen) { return; }
      var point = event.containerPoint;
      var best = -1, bestDistance = 49;
      for (var i = 0; i < screen.drawn.length; i++) {
        if (!screen.drawn[i]) { continue; }
        var dx = screen.x[i] - point.x, dy = screen.y[i] - point.y;
        var distance = dx * dx + dy * dy;
        if (distance < bestDistance) { best = i; bestDistance = distance; }
      }
      if (best < 0) { this._hideTip(); return; }
      var data = this._data;
      this._tip.setLatLng([data.y[best], data.x[best]]).setContent(pointText(data, best, this._metric));
      if (!this._map.hasLayer(this._tip)) { this._tip.addTo(this._map); }
    },
    _hideTip: function () {
      if (this._map && this._map.hasLayer(this._tip)) { this._map.removeLayer(this._tip); }
    }
  });

  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(spec.language, {
      dateStyle: "medium", timeStyle: "medium", timeZone: spec.timezone
    });
  } catch (error) {
    timeFormat = new Intl.DateTimeFormat(spec.language, {dateStyle: "medium", timeStyle: "medium"});
  }

  function pointText(data, index, metric) {
    var operator = spec.operators[data.op[index]];
    var technology = spec.technologies[data.tech[index]] || "";
    var value = data.values[metric][index];
    var cls = data.classes[metric].charCodeAt(index) - 48;
    var measure;
    if (data.ns.charAt(index) === "1") {
      measure = spec.text.noService;
    } else if (value === null) {
      measure = "\u2013";
    } else {
      var number = value.toLocaleString(spec.language).replace("-", "\u2212");
      measure = spec.metrics[metric].name + " " + number + " " + spec.metrics[metric].unit;
      if (cls >= 0 && cls <= 4) { measure += " (" + spec.classLabels[cls] + ")"; }
    }
    var box = element("div");
    box.appendChild(element("b", null, (operator ? operator.name : "") + " \u00b7 " + technology));
    box.appendChild(element("div", null, measure));
    box.appendChild(element("div", null, timeFormat.format(new Date((data.t0 + data.t[index]) * 1000))));
    return box;
  }

  var points = new PointLayer();

  function updatePoints(level, view) {
    var data = state.points ? levelPoints(level) : {count: 0};
    var operator = view.plmn === null ? -1 : spec.operatorIndex[view.plmn];
    points.setPoints(data, operator, view.metric);
    if (state.points && !map.hasLayer(points)) { map.addLayer(points); }
    if (!state.points && map.hasLayer(points)) { map.removeLayer(points); }
  }

  if (!spec.levels.length) {
    document.getElementById("zb-level-name").textContent = spec.text.noLevel;
    document.documentElement.setAttribute("data-zb-ready", String(Math.round(performance.now())));
    return;
  }
  buildControl();
  map.on("zoomend", fitLabels);
  apply(true);
  document.documentElement.setAttribute("data-zb-ready", String(Math.round(performance.now())));
})();
"""
