/* modelmetrics Performance page: vanilla JS, inline SVG, no network. Tabs are drawn on first
   view (and again when the Result Set changes), so large runs load fast. */
(function () {
  "use strict";
  var T0 = performance.now();
  var D = JSON.parse(document.getElementById("mm-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var TYPE_LABELS = {"object-detection": "Object Detection", "instance-segmentation":
    "Instance Segmentation", "semantic-segmentation": "Semantic Segmentation",
    "classification": "Classification", "regression": "Regression"};
  var CM_STEP = 7;
  var state = {tab: "loss", split: D.splits[0] || null, sortKey: null, sortDir: 1, filter: "",
    cmClass: -1, cmMode: "confused", cmN: CM_STEP, prClass: null};
  var drawn = {};

  // -- formatting ---------------------------------------------------------------------------
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function num(v) {
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(4)));
  }
  function reasonOf(split, path) {
    var own = split && D.metrics[split] && D.metrics[split].undefined;
    return (own && own[path]) || D.undefined["/metrics/" + split + "/" + path] ||
      "undefined (no reason recorded)";
  }
  /* A value cell: numbers as 4 significant digits, null as "—" with its reason as tooltip. */
  function show(v, split, path) {
    if (v === null) return '<span class="undef" title="' + esc(reasonOf(split, path)) + '">—</span>';
    if (v === undefined) return "";
    return esc(num(v));
  }
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.round(s % 60);
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }
  function ticks(lo, hi, n) {
    var step = niceStep((hi - lo) / n), out = [];
    for (var k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(k * step);
    return out;
  }
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return p * (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10);
  }
  function extent(arrays) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) { a.forEach(function (v) {
      if (v !== null) { if (v < lo) lo = v; if (v > hi) hi = v; } }); });
    if (lo === Infinity) return [0, 1];
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    return [lo, hi];
  }
  /* An x/y frame: scales and axes of a chart of size w x h. */
  function frame(w, h, xr, yr, xfmt, yfmt) {
    var m = {l: 62, r: 16, t: 14, b: 36};
    var f = {w: w, h: h, m: m,
      x: function (v) { return m.l + (v - xr[0]) / (xr[1] - xr[0]) * (w - m.l - m.r); },
      y: function (v) { return h - m.b - (v - yr[0]) / (yr[1] - yr[0]) * (h - m.t - m.b); },
      invX: function (px) { return xr[0] + (px - m.l) / (w - m.l - m.r) * (xr[1] - xr[0]); }};
    var s = '<g class="grid">';
    ticks(yr[0], yr[1], 5).forEach(function (t) {
      s += '<line x1="' + m.l + '" x2="' + (w - m.r) + '" y1="' + f.y(t) + '" y2="' + f.y(t) + '"/>';
    });
    s += '</g><g class="axis">';
    ticks(yr[0], yr[1], 5).forEach(function (t) {
      s += '<text x="' + (m.l - 6) + '" y="' + (f.y(t) + 4) + '" text-anchor="end">' + esc(yfmt(t)) + "</text>";
    });
    ticks(xr[0], xr[1], 6).forEach(function (t) {
      s += '<text x="' + f.x(t) + '" y="' + (h - m.b + 16) + '" text-anchor="middle">' + esc(xfmt(t)) + "</text>";
    });
    f.axes = s + "</g>";
    return f;
  }
  /* SVG path through (xs[i], ys[i]); null values break the line. Returns [d, points]. */
  function pathOf(f, xs, ys) {
    var d = [], pen = false, n = 0;
    for (var i = 0; i < ys.length; i++) {
      if (ys[i] === null || ys[i] === undefined) { pen = false; continue; }
      d.push((pen ? "L" : "M") + f.x(xs[i]).toFixed(1) + " " + f.y(ys[i]).toFixed(1));
      pen = true; n++;
    }
    return [d.join(""), n];
  }

  // -- header and tabs ----------------------------------------------------------------------
  function header() {
    $("model-type").textContent = TYPE_LABELS[D.modelType] || "Model";
    $("status").textContent = D.status;
    $("headline").innerHTML = D.headline.map(function (set) {
      return '<div class="set" data-split="' + set.split + '"><span class="set-name">' + esc(set.label) +
        "</span>" + set.items.map(function (it) {
          return '<span class="hl" data-key="' + esc(it.key) + '">' + esc(it.label) +
            ' <span class="v">' + show(it.value, set.split, it.key) + "</span></span>";
        }).join("") + "</div>";
    }).join("");
  }
  function anySplit(key) {
    return D.splits.some(function (s) { return D.metrics[s][key] !== undefined; });
  }
  var TABS = [
    ["loss", "Loss Over Time", true, renderLoss],
    ["metrics", "Metrics", D.splits.length > 0, renderMetrics],
    ["confusion", "Confusion Matrix", anySplit("confusion-matrix"), renderConfusion],
    ["pr", "PR Curves", anySplit("pr-curves"), renderPR],
    ["regression", "Regression", D.modelType === "regression" && D.splits.length > 0, renderRegression]
  ].filter(function (t) { return t[2]; });

  function showTab(name) {
    state.tab = name;
    TABS.forEach(function (t) {
      $("tab-" + t[0]).hidden = t[0] !== name;
      $("tabbtn-" + t[0]).setAttribute("aria-selected", String(t[0] === name));
    });
    $("toolbar").hidden = name === "loss" || !state.split;
    if (!drawn[name]) {
      drawn[name] = true;
      TABS.filter(function (t) { return t[0] === name; })[0][3]();
    }
  }
  function tabs() {
    $("tabs").innerHTML = TABS.map(function (t) {
      return '<button type="button" role="tab" id="tabbtn-' + t[0] + '" data-tab="' + t[0] + '">' +
        esc(t[1]) + "</button>";
    }).join("");
    $("tabs").addEventListener("click", function (e) {
      var tab = e.target.getAttribute("data-tab");
      if (tab) showTab(tab);
    });
    $("result-set").innerHTML = D.splits.map(function (s) {
      return '<option value="' + s + '">' + esc(D.splitLabels[s]) + "</option>";
    }).join("");
    $("result-set").addEventListener("change", function (e) {
      state.split = e.target.value;
      state.cmClass = -1; state.cmN = CM_STEP; state.prClass = null;
      drawn = {loss: drawn.loss};
      showTab(state.tab);
    });
  }

  // -- Loss Over Time -----------------------------------------------------------------------
  function renderLoss() {
    var L = D.loss, box = $("loss-chart");
    if (!L.train.length) { box.textContent = "No losses were logged."; return; }
    var xs = L.x, xr = [xs[0], xs[xs.length - 1]];
    if (xr[0] === xr[1]) xr = [xr[0], xr[0] + 1];
    var yr = extent([L.train, L.validation]), pad = (yr[1] - yr[0]) * 0.05;
    yr = [yr[0] - pad, yr[1] + pad];
    var f = frame(920, 340, xr, yr, L.axis === "time" ? duration : String, num);
    var series = [["train", "raw", L.train], ["train", "smooth", L.smoothedTrain],
      ["validation", "raw", L.validation], ["validation", "smooth", L.smoothedValidation]];
    var s = '<svg id="loss-svg" viewBox="0 0 920 340" width="920" height="340">' + f.axes;
    series.forEach(function (sr) {
      if (!sr[2].length) return;
      var p = pathOf(f, xs, sr[2]);
      if (p[1]) s += '<path class="series ' + sr[0] + " " + sr[1] + '" data-series="' + sr[0] + "-" +
        sr[1] + '" data-points="' + p[1] + '" d="' + p[0] + '"/>';
    });
    if (L.bestEpoch !== null) {
      var bx = f.x(xs[L.bestEpoch]), by = f.y(L.bestLoss);
      s += '<g id="best-epoch"><line class="best-line" x1="' + bx + '" x2="' + bx + '" y1="' + f.m.t +
        '" y2="' + (f.h - f.m.b) + '"/><circle id="best-epoch-marker" cx="' + bx + '" cy="' + by +
        '" r="5" data-index="' + L.bestEpoch + '" data-loss="' + L.bestLoss + '"><title>best epoch ' +
        L.bestEpoch + ": " + L.bestCurve + " loss " + num(L.bestLoss) + "</title></circle></g>";
    }
    s += '<line id="loss-guide" class="best-line" y1="' + f.m.t + '" y2="' + (f.h - f.m.b) +
      '" visibility="hidden"/><rect id="loss-hover" x="' + f.m.l + '" y="' + f.m.t + '" width="' +
      (f.w - f.m.l - f.m.r) + '" height="' + (f.h - f.m.t - f.m.b) + '" fill="transparent"/></svg>';
    s += '<div class="legend"><span><i style="background:var(--train)"></i>training</span>' +
      (L.smoothedValidation.length ? '<span><i style="background:var(--validation)"></i>validation</span>' : "") +
      "<span>thin: raw, thick: smoothed (EMA " + L.smoothing + ")</span>" +
      (L.bestEpoch !== null ? '<span id="best-epoch-label">best epoch ' + L.bestEpoch + " (" +
        L.bestCurve + " loss " + num(L.bestLoss) + ")</span>" : "") + "</div>";
    box.innerHTML = s;
    var svg = $("loss-svg"), guide = $("loss-guide"), tip = $("tooltip");
    $("loss-hover").addEventListener("mousemove", function (e) {
      var rect = svg.getBoundingClientRect();
      var i = nearest(xs, f.invX((e.clientX - rect.left) * 920 / rect.width));
      var gx = f.x(xs[i]);
      guide.setAttribute("x1", gx); guide.setAttribute("x2", gx); guide.setAttribute("visibility", "visible");
      var text = "step " + i + "  " + (L.axis === "time" ? duration(xs[i]) : "") +
        "\ntraining " + (L.train[i] === null ? "—" : num(L.train[i])) +
        (L.validation[i] !== null ? "\nvalidation " + num(L.validation[i]) : "") +
        (L.smoothedTrain[i] !== null ? "\nsmoothed training " + num(L.smoothedTrain[i]) : "");
      $("loss-readout").textContent = text.replace(/\n/g, " · ");
      $("loss-readout").setAttribute("data-index", i);
      tip.textContent = text; tip.hidden = false;
      tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px";
    });
    $("loss-hover").addEventListener("mouseleave", function () {
      tip.hidden = true; guide.setAttribute("visibility", "hidden");
    });
  }
  function nearest(xs, x) {
    var lo = 0, hi = xs.length - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
    return lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
  }

  // -- Metrics ------------------------------------------------------------------------------
  function scalarRows(split) {
    var M = D.metrics[split];
    return Object.keys(M).filter(function (k) {
      return k !== "undefined" && (M[k] === null || typeof M[k] === "number");
    });
  }
  function renderMetrics() {
    var split = state.split, M = D.metrics[split], acc = D.accuracies[split];
    var rows = scalarRows(split).map(function (k) {
      return '<tr data-key="' + esc(k) + '"><td>' + esc(k) + "</td><td>" + show(M[k], split, k) + "</td></tr>";
    });
    if (acc) rows.push('<tr data-key="accuracies"><td>accuracy (threshold ' + show(acc.threshold) +
      ")</td><td>" + show(acc.accuracy, split, "accuracy") + "</td></tr>");
    $("split-metrics").innerHTML = "<table><tbody>" + rows.join("") + "</tbody></table>";
    var box = $("per-class");
    if (!M["per-class"]) { box.innerHTML = ""; return; }
    box.innerHTML = '<h3>Per class</h3><div class="controls"><input type="search" id="class-filter" ' +
      'placeholder="Filter classes" value="' + esc(state.filter) + '"><span id="class-count" class="caption">' +
      '</span></div><div class="table-scroll"><table id="per-class-table"><thead><tr>' +
      '<th class="sortable" data-sort="">Class</th>' + D.perClassColumns.map(function (c) {
        return '<th class="sortable" data-sort="' + c.key + '">' + esc(c.label) + "</th>";
      }).join("") + "</tr></thead><tbody></tbody></table></div>";
    $("class-filter").addEventListener("input", function (e) { state.filter = e.target.value; perClassBody(); });
    box.querySelector("thead").addEventListener("click", function (e) {
      var key = e.target.getAttribute("data-sort");
      if (key === null) return;
      state.sortDir = state.sortKey === key ? -state.sortDir : (key ? -1 : 1);
      state.sortKey = key;
      perClassBody();
    });
    perClassBody();
  }
  function cellValue(split, name, key) {
    var row = D.metrics[split]["per-class"][name];
    if (row[key] !== undefined || key !== "support") return row[key];
    var stats = D.datasetStats[split] || {}, task = stats[D.modelType] || {};
    return task[name];
  }
  function perClassBody() {
    var split = state.split, table = D.metrics[split]["per-class"], names = Object.keys(table);
    var needle = state.filter.trim().toLowerCase(), total = names.length;
    if (needle) names = names.filter(function (n) { return n.toLowerCase().indexOf(needle) >= 0; });
    var key = state.sortKey, dir = state.sortDir;
    if (key !== null) {
      var order = names.map(function (n, i) { return [key ? cellValue(split, n, key) : n, i, n]; });
      order.sort(function (a, b) {  // undefined and null last, whatever the direction
        var va = a[0], vb = b[0], na = va === null || va === undefined, nb = vb === null || vb === undefined;
        if (na || nb) return na === nb ? a[1] - b[1] : (na ? 1 : -1);
        return va < vb ? -dir : va > vb ? dir : a[1] - b[1];
      });
      names = order.map(function (o) { return o[2]; });
    }
    document.querySelectorAll("#per-class-table th").forEach(function (th) {
      var k = th.getAttribute("data-sort");
      th.setAttribute("aria-sort", k === key ? (dir > 0 ? "ascending" : "descending") : "none");
    });
    document.querySelector("#per-class-table tbody").innerHTML = names.map(function (n) {
      return '<tr data-class="' + esc(n) + '"><td>' + esc(n) + "</td>" + D.perClassColumns.map(function (c) {
        return '<td data-key="' + c.key + '">' + show(cellValue(split, n, c.key), split,
          "per-class/" + n + "/" + c.key) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    $("class-count").textContent = names.length + " of " + total + " classes";
  }

  // -- Confusion matrix ---------------------------------------------------------------------
  var cmCache = {};
  function cmStats(split) {
    if (cmCache[split]) return cmCache[split];
    var cm = D.metrics[split]["confusion-matrix"], M = cm.matrix, K = cm.labels.length;
    var row = new Float64Array(K), col = new Float64Array(K), diag = new Float64Array(K);
    for (var i = 0; i < K; i++) {
      var r = M[i];
      for (var j = 0; j < K; j++) { row[i] += r[j]; col[j] += r[j]; }
      diag[i] = r[i];
    }
    return (cmCache[split] = {labels: cm.labels, M: M, K: K, row: row, col: col, diag: diag});
  }
  function ranked(K, score, keep) {
    var idx = [];
    for (var i = 0; i < K; i++) if (!keep || keep(i)) idx.push(i);
    return idx.sort(function (a, b) { return score(b) - score(a) || a - b; });
  }
  /* Rows and columns shown: all classes ranked (most confused: errors in its row and column;
     most common: labeled count), or one labeled class's row with its predictions ranked. */
  function cmView(s) {
    var x = state.cmClass, confused = state.cmMode === "confused";
    if (x < 0) {
      var order = ranked(s.K, confused ? function (i) { return s.row[i] + s.col[i] - 2 * s.diag[i]; }
        : function (i) { return s.row[i]; });
      var shown = order.slice(0, state.cmN);
      return {rows: shown, cols: shown, total: s.K, unit: "classes"};
    }
    var cols = ranked(s.K, function (j) { return s.M[x][j]; },
      function (j) { return s.M[x][j] > 0 && (!confused || j !== x); });
    return {rows: [x], cols: cols.slice(0, state.cmN), total: cols.length, unit: "predicted classes"};
  }
  function renderConfusion() {
    var split = state.split, box = $("cm-view");
    if (!D.metrics[split]["confusion-matrix"]) {
      box.textContent = "No confusion matrix for this result set."; $("cm-caption").textContent = "";
      return;
    }
    var s = cmStats(split);
    $("cm-class").innerHTML = '<option value="-1">All classes</option>' + s.labels.map(function (l, i) {
      return '<option value="' + i + '">' + esc(l) + "</option>";
    }).join("");
    $("cm-class").value = String(state.cmClass);
    drawMatrix();
  }
  function drawMatrix() {
    var s = cmStats(state.split), v = cmView(s), box = $("cm-view");
    $("cm-most-confused").setAttribute("aria-pressed", String(state.cmMode === "confused"));
    $("cm-most-common").setAttribute("aria-pressed", String(state.cmMode === "common"));
    $("cm-caption").textContent = "Showing " + v.cols.length + " of " + v.total + " " + v.unit +
      " (" + (state.cmMode === "confused" ? "most confused" : "most common") + "); rows: labeled, columns: predicted";
    $("cm-more").disabled = $("cm-all").disabled = v.cols.length >= v.total;
    var CW = 64, CH = 30, HW = 170, HH = 30, nr = v.rows.length, nc = v.cols.length;
    box.style.height = Math.min(HH + nr * CH + 18, 560) + "px";
    box.innerHTML = '<div class="cm-canvas" style="width:' + (HW + nc * CW) + "px;height:" + (HH + nr * CH) + 'px"></div>';
    var canvas = box.firstChild, pending = false;
    function paint() {
      pending = false;
      var st = box.scrollTop, sl = box.scrollLeft, vw = box.clientWidth, vh = box.clientHeight;
      var r0 = Math.max(0, Math.floor(st / CH) - 2), r1 = Math.min(nr, Math.ceil((st + vh) / CH) + 2);
      var c0 = Math.max(0, Math.floor(sl / CW) - 2), c1 = Math.min(nc, Math.ceil((sl + vw) / CW) + 2);
      var h = [];
      for (var r = r0; r < r1; r++) {
        var i = v.rows[r], total = s.row[i];
        for (var c = c0; c < c1; c++) {
          var j = v.cols[c], n = s.M[i][j], a = total > 0 ? 0.08 + 0.8 * n / total : 0;
          h.push('<div class="cm-cell" data-r="' + i + '" data-c="' + j + '" style="left:' + (HW + c * CW) +
            "px;top:" + (HH + r * CH) + "px;background:" + (n > 0 ? "rgba(" + (i === j ? "var(--good)" : "var(--bad)") +
            "," + a.toFixed(3) + ")" : "transparent") + '" title="labeled ' + esc(s.labels[i]) + ", predicted " +
            esc(s.labels[j]) + ": " + n + '">' + n + "</div>");
        }
        h.push('<div class="cm-rowhead" data-r="' + i + '" style="left:' + sl + "px;top:" + (HH + r * CH) +
          'px" title="' + esc(s.labels[i]) + '">' + esc(s.labels[i]) + "</div>");
      }
      for (var c2 = c0; c2 < c1; c2++) {
        var jj = v.cols[c2];
        h.push('<div class="cm-colhead" data-c="' + jj + '" style="left:' + (HW + c2 * CW) + "px;top:" + st +
          'px" title="' + esc(s.labels[jj]) + '">' + esc(s.labels[jj]) + "</div>");
      }
      h.push('<div class="cm-corner" style="left:' + sl + "px;top:" + st + 'px">labeled ↓ predicted →</div>');
      canvas.innerHTML = h.join("");
    }
    box.onscroll = function () { if (!pending) { pending = true; requestAnimationFrame(paint); } };
    paint();
  }
  function confusionControls() {
    $("cm-class").addEventListener("change", function (e) {
      state.cmClass = Number(e.target.value); state.cmN = CM_STEP; drawMatrix();
    });
    [["cm-most-confused", "confused"], ["cm-most-common", "common"]].forEach(function (b) {
      $(b[0]).addEventListener("click", function () { state.cmMode = b[1]; state.cmN = CM_STEP; drawMatrix(); });
    });
    $("cm-more").addEventListener("click", function () { state.cmN += CM_STEP; drawMatrix(); });
    $("cm-all").addEventListener("click", function () { state.cmN = Infinity; drawMatrix(); });
  }

  // -- Precision-recall curves --------------------------------------------------------------
  function renderPR() {
    var split = state.split, curves = D.metrics[split]["pr-curves"] || {}, names = Object.keys(curves);
    var select = $("pr-class");
    select.innerHTML = names.map(function (n) { return '<option value="' + esc(n) + '">' + esc(n) + "</option>"; }).join("");
    if (!names.length) { $("pr-chart").textContent = "No precision–recall curves for this result set."; return; }
    if (state.prClass === null || !curves[state.prClass]) state.prClass = names[0];
    select.value = state.prClass;
    drawPR();
  }
  function drawPR() {
    var split = state.split, name = state.prClass, c = D.metrics[split]["pr-curves"][name];
    var f = frame(460, 400, [0, 1], [0, 1.02], num, num);
    var p = pathOf(f, c.recall, c.precision);
    var row = (D.metrics[split]["per-class"] || {})[name] || {};
    $("pr-caption").textContent = "AP (IoU 0.50:0.95) " + (row["average-precision"] == null ? "—" :
      num(row["average-precision"])) + "; curve at IoU 0.50, all areas";
    $("pr-chart").innerHTML = '<svg id="pr-svg" viewBox="0 0 460 400" width="460" height="400">' + f.axes +
      '<path class="series pr" data-points="' + p[1] + '" d="' + p[0] + '"/>' +
      '<text x="260" y="396" class="axis">recall</text><text x="4" y="12">precision</text></svg>';
  }

  // -- Regression ---------------------------------------------------------------------------
  function renderRegression() {
    var keys = ["mean-squared-error", "mean-absolute-error", "mean-error", "max-error", "r2-score",
      "explained-variance-score", "loss"];
    var head = "<tr><th>metric</th>" + D.splits.map(function (s) { return "<th>" + esc(D.splitLabels[s]) + "</th>"; }).join("") + "</tr>";
    var rows = keys.filter(function (k) { return anySplit(k); }).map(function (k) {
      return '<tr data-key="' + k + '"><td>' + k + "</td>" + D.splits.map(function (s) {
        return '<td data-split="' + s + '">' + show(D.metrics[s][k], s, k) + "</td>";
      }).join("") + "</tr>";
    });
    $("regression-table").innerHTML = "<table>" + head + rows.join("") + "</table>";
    var M = D.metrics[state.split], pv = M["predicted-vs-true"], eh = M["error-histogram"];
    $("regression-scatter").innerHTML = pv ? scatter(pv) : "";
    $("regression-histogram").innerHTML = eh ? histogram(eh) : "";
  }
  function scatter(pv) {
    var r = extent([pv["true"], pv.predicted]), f = frame(420, 400, r, r, num, num);
    var s = '<svg id="regression-scatter-svg" viewBox="0 0 420 400" width="420" height="400">' + f.axes +
      '<line class="best-line" x1="' + f.x(r[0]) + '" y1="' + f.y(r[0]) + '" x2="' + f.x(r[1]) + '" y2="' + f.y(r[1]) + '"/>';
    for (var i = 0; i < pv["true"].length; i++) {
      s += '<circle cx="' + f.x(pv["true"][i]).toFixed(1) + '" cy="' + f.y(pv.predicted[i]).toFixed(1) +
        '" r="2.5" fill="var(--train)" opacity=".5"/>';
    }
    return s + '<text x="200" y="396">true</text><text x="4" y="12">predicted (' + pv["true"].length +
      " of " + pv["n-samples"] + " samples)</text></svg>";
  }
  function histogram(eh) {
    var e = eh.edges, n = eh.counts, top = Math.max.apply(null, n.concat([1]));
    var f = frame(420, 400, [e[0], e[e.length - 1]], [0, top * 1.05], num, num), s = "";
    for (var i = 0; i < n.length; i++) {
      s += '<rect class="bar" x="' + f.x(e[i]) + '" width="' + Math.max(0.5, f.x(e[i + 1]) - f.x(e[i]) - 1) +
        '" y="' + f.y(n[i]) + '" height="' + (f.y(0) - f.y(n[i])) + '" fill="var(--validation)"><title>' +
        num(e[i]) + " to " + num(e[i + 1]) + ": " + n[i] + "</title></rect>";
    }
    return '<svg id="regression-histogram-svg" viewBox="0 0 420 400" width="420" height="400">' + f.axes + s +
      '<text x="150" y="396">error (predicted − true)</text></svg>';
  }

  // -- start --------------------------------------------------------------------------------
  header();
  tabs();
  confusionControls();
  $("pr-class").addEventListener("change", function (e) { state.prClass = e.target.value; drawPR(); });
  showTab("loss");
  // renderMs: this script (parse the data, draw the header and the loss chart);
  // readyMs: from the start of navigation to a usable page
  window.mmReport = {renderMs: performance.now() - T0, readyMs: performance.now(), showTab: showTab};
  document.body.setAttribute("data-ready", "true");
})();
