/* Heat-maps on canvas elements: a diverging colour scale (blue below 0, white at 0, red above), masked −∞ cells hatched
   grey, and a tooltip naming the tensor, its indices and the value. Also small DOM helpers and the GELU plot. */
'use strict';
var Viz = window.Viz = {};

/** An element with attributes and children (strings become text nodes: data is never parsed as HTML). */
Viz.el = function (tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    });
  }
  (children || []).forEach(function (c) {
    if (c === null || c === undefined) return;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return e;
};

/** A value as stored in the JSON: null is −∞ (a masked score), strings are "NaN" / "Infinity". */
Viz.value = function (raw) {
  if (raw === null) return -Infinity;
  return typeof raw === 'string' ? Number(raw) : raw;
};

Viz.fmt = function (v) {
  if (v === -Infinity) return '−∞ (masked)';
  if (!isFinite(v)) return String(v);
  if (v === 0) return '0';
  var a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return v.toFixed(3);
};

/** A token's text with its whitespace made visible, for labels. */
Viz.shown = function (text) {
  return String(text).replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/\r/g, '␍').replace(/\t/g, '⇥');
};

Viz.short = function (text, n) {
  var chars = Array.from(Viz.shown(text));
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : chars.join('');
};

var LABEL_FONT = '10px ui-monospace, "DejaVu Sans Mono", monospace';
var NEG = [33, 102, 172];
var MID = [247, 247, 247];
var POS = [178, 24, 43];

/** The colour of v on a scale symmetric around 0 reaching full colour at ±scale. */
Viz.color = function (v, scale) {
  if (isNaN(v)) return '#000000';
  var t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  var end = t < 0 ? NEG : POS;
  var a = Math.abs(t);
  return 'rgb(' + Math.round(MID[0] + (end[0] - MID[0]) * a) + ',' + Math.round(MID[1] + (end[1] - MID[1]) * a)
    + ',' + Math.round(MID[2] + (end[2] - MID[2]) * a) + ')';
};

/** The 99th percentile of |v| over finite values (so one outlier does not wash out the rest), at least tiny. */
Viz.scaleOf = function (values) {
  var abs = [];
  for (var i = 0; i < values.length; i++) {
    var v = Viz.value(values[i]);
    if (isFinite(v)) abs.push(Math.abs(v));
  }
  if (abs.length === 0) return 1;
  abs.sort(function (a, b) { return a - b; });
  var s = abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.99))];
  return s > 0 ? s : (abs[abs.length - 1] || 1);
};

/** Original index of the i-th shown row or column of an axis [start, step, count, size]. */
Viz.index = function (axis, i) { return axis[0] + i * axis[1]; };

/**
 * A heat-map figure for one map of the data ({name, head?, shape, r, c, ck, v}).
 * opts: title, sub (caption text), rowLabel(origRow), colLabel(origCol), describe(origRow, origCol) for the
 * tooltip's second line, hoverName(rowIdx, colIdx) to replace "name[head h][r][c]", fixedScale, highlightRows
 * (original indices), colBand [from, to) in original indices, cell (preferred cell size).
 */
Viz.heatmap = function (m, opts) {
  opts = opts || {};
  var rows = m.r[2], cols = m.c[2];
  var square = opts.square;
  var cw = square ? clamp(Math.floor(380 / Math.max(rows, cols)), 5, 34) : clamp(Math.floor(420 / cols), 3, 30);
  var ch = square ? cw : clamp(Math.floor(240 / rows), 5, 18);
  if (opts.cell) { cw = Math.min(cw, opts.cell); ch = Math.min(ch, opts.cell); }
  var canvas = document.createElement('canvas');
  // read back once by Viz.nonBlank: a CPU-side canvas is the right kind for that, and it is small
  var ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.font = LABEL_FONT;
  var rowLabels = [], ml = 4;
  for (var i = 0; i < rows; i++) {
    var label = opts.rowLabel ? opts.rowLabel(Viz.index(m.r, i)) : String(Viz.index(m.r, i));
    rowLabels.push(label);
    ml = Math.max(ml, ctx.measureText(label).width + 6);
  }
  ml = Math.ceil(ml);
  var mt = 14;
  var w = ml + cols * cw + 14, h = mt + rows * ch + 2;
  var dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = w + 'px';
  canvas.style.height = h + 'px';
  canvas.className = 'heatmap';
  canvas.setAttribute('data-key', m.name + (m.head !== undefined ? '#' + m.head : ''));
  canvas.setAttribute('data-name', m.name);
  ctx.setTransform(1, 0, 0, 1, 0, 0); // resizing the canvas reset the context's state
  ctx.scale(dpr, dpr);
  ctx.font = LABEL_FONT;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  var scale = opts.fixedScale || Viz.scaleOf(m.v);
  for (var r = 0; r < rows; r++) {
    for (var c = 0; c < cols; c++) {
      var v = Viz.value(m.v[r * cols + c]);
      var x = ml + c * cw, y = mt + r * ch;
      if (v === -Infinity) {
        ctx.fillStyle = '#cfcfcf';
        ctx.fillRect(x, y, cw, ch);
        ctx.strokeStyle = '#8a8a8a';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x + 1, y + ch - 1);
        ctx.lineTo(x + cw - 1, y + 1);
        ctx.stroke();
      } else {
        ctx.fillStyle = Viz.color(v, scale);
        ctx.fillRect(x, y, cw, ch);
      }
    }
  }
  if (cw >= 10 && ch >= 10) { // grid lines between larger cells
    ctx.strokeStyle = 'rgba(255,255,255,0.7)';
    ctx.lineWidth = 1;
    for (var gc = 1; gc < cols; gc++) { line(ctx, ml + gc * cw, mt, ml + gc * cw, mt + rows * ch); }
    for (var gr = 1; gr < rows; gr++) { line(ctx, ml, mt + gr * ch, ml + cols * cw, mt + gr * ch); }
  }
  if (opts.colBand) {
    var first = -1, last = -1;
    for (var bc = 0; bc < cols; bc++) {
      var oc = Viz.index(m.c, bc);
      if (oc >= opts.colBand[0] && oc < opts.colBand[1]) { if (first < 0) first = bc; last = bc; }
    }
    if (first >= 0) {
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 2;
      ctx.strokeRect(ml + first * cw, mt, (last - first + 1) * cw, rows * ch);
    }
  }
  (opts.highlightRows || []).forEach(function (orig) {
    for (var hr = 0; hr < rows; hr++) {
      if (Viz.index(m.r, hr) === orig) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 1.5;
        ctx.strokeRect(ml + 0.75, mt + hr * ch + 0.75, cols * cw - 1.5, ch - 1.5);
      }
    }
  });
  ctx.fillStyle = '#5f6b76';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (var lr = 0; lr < rows; lr++) {
    if (ch >= 9 || lr % Math.ceil(9 / ch) === 0 || lr === rows - 1) ctx.fillText(rowLabels[lr], ml - 4, mt + lr * ch + ch / 2);
  }
  ctx.textAlign = 'center';
  var colLabels = [], widest = 0;
  for (var lc = 0; lc < cols; lc++) {
    colLabels.push(opts.colLabel ? opts.colLabel(Viz.index(m.c, lc)) : String(Viz.index(m.c, lc)));
    widest = Math.max(widest, ctx.measureText(colLabels[lc]).width);
  }
  var every = Math.max(1, Math.ceil((widest + 6) / cw));
  for (lc = 0; lc < cols; lc += every) ctx.fillText(colLabels[lc], ml + lc * cw + cw / 2, 6);
  canvas.__cells = { ml: ml, mt: mt, cw: cw, ch: ch, rows: rows, cols: cols };
  canvas.addEventListener('mousemove', function (e) { Viz.hover(canvas, m, opts, e); });
  canvas.addEventListener('mouseleave', function () {
    document.getElementById('tooltip').hidden = true;
    outline(canvas, -1, -1);
  });

  var legend = Viz.el('div', { class: 'legend' }, [
    Viz.fmt(-scale), Viz.el('span', { class: 'bar', style: 'background:linear-gradient(90deg,' + Viz.color(-1, 1)
      + ',' + Viz.color(0, 1) + ',' + Viz.color(1, 1) + ')' }), Viz.fmt(scale)]);
  if (m.v.some(function (x) { return Viz.value(x) === -Infinity; })) {
    legend.appendChild(Viz.el('span', { class: 'mask' }));
    legend.appendChild(document.createTextNode('masked (−∞)'));
  }
  var caption = Viz.el('figcaption', null, [Viz.el('span', { class: 'nm', text: opts.title || m.name }), ' ',
    Viz.el('span', { class: 'sub', text: opts.sub || '' })]);
  return Viz.el('figure', { class: 'hm', style: 'max-width:' + Math.max(w, 260) + 'px' }, [caption, canvas, legend]);
};

function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath();
  ctx.moveTo(x0 + 0.5, y0 + 0.5);
  ctx.lineTo(x1 + 0.5, y1 + 0.5);
  ctx.stroke();
}

/** The tooltip for the cell under the pointer: "h0.attSm[head 1][3][2] = 0.257" and what the indices mean. */
Viz.hover = function (canvas, m, opts, e) {
  var g = canvas.__cells, box = canvas.getBoundingClientRect();
  var c = Math.floor((e.clientX - box.left - g.ml) / g.cw), r = Math.floor((e.clientY - box.top - g.mt) / g.ch);
  var tip = document.getElementById('tooltip');
  if (r < 0 || c < 0 || r >= g.rows || c >= g.cols) { tip.hidden = true; outline(canvas, -1, -1); return; }
  outline(canvas, r, c);
  var orow = Viz.index(m.r, r), ocol = Viz.index(m.c, c), v = Viz.value(m.v[r * g.cols + c]);
  var name = opts.hoverName ? opts.hoverName(orow, ocol)
    : m.name + (m.head !== undefined ? '[head ' + m.head + ']' : '') + '[' + orow + '][' + ocol + ']';
  tip.firstChild.textContent = name + ' = ' + Viz.fmt(v);
  tip.lastChild.textContent = opts.describe ? opts.describe(orow, ocol) : '';
  tip.hidden = false;
  var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
  tip.style.left = Math.max(0, x) + 'px';
  tip.style.top = (e.clientY + 16) + 'px';
};

/** Outlines the hovered cell (r, c), or none for r < 0: the drawing is kept and restored around it. */
function outline(canvas, r, c) {
  var g = canvas.__cells, ctx = canvas.getContext('2d');
  if (g.hover && g.hover[0] === r && g.hover[1] === c) return;
  if (!g.saved) g.saved = ctx.getImageData(0, 0, canvas.width, canvas.height);
  ctx.putImageData(g.saved, 0, 0);
  g.hover = [r, c];
  if (r < 0) return;
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.strokeRect(g.ml + c * g.cw + 1, g.mt + r * g.ch + 1, g.cw - 2, g.ch - 2);
}

/** Whether a heat-map's cell area holds more than one colour (drawn, not blank). */
Viz.nonBlank = function (canvas) {
  var g = canvas.__cells;
  if (!g) return false;
  var dpr = window.devicePixelRatio || 1;
  var data = canvas.getContext('2d').getImageData(Math.round(g.ml * dpr), Math.round(g.mt * dpr),
    Math.max(1, Math.round(g.cols * g.cw * dpr)), Math.max(1, Math.round(g.rows * g.ch * dpr))).data;
  for (var i = 4; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
  }
  return false;
};

/** GELU's curve with the shown (fc, gelu) pairs of this layer as dots. */
Viz.geluPlot = function (fc, gelu, form) {
  var w = 300, h = 200, pad = 26;
  var canvas = Viz.el('canvas', { class: 'plot', width: w, height: h, style: 'width:' + w + 'px;height:' + h + 'px' });
  var ctx = canvas.getContext('2d');
  var xs = fc.v.map(Viz.value).filter(isFinite);
  var lo = Math.min(-3, Math.min.apply(null, xs)), hi = Math.max(3, Math.max.apply(null, xs));
  function g(x) {
    return form === 'exact' || form === 'erf' ? 0.5 * x * (1 + erf(x / Math.SQRT2))
      : 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }
  var ylo = -0.5, yhi = Math.max(1, g(hi));
  function px(x) { return pad + (x - lo) / (hi - lo) * (w - pad - 6); }
  function py(y) { return h - pad - (y - ylo) / (yhi - ylo) * (h - pad - 6); }
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#bbb';
  line(ctx, px(lo), py(0), px(hi), py(0));
  line(ctx, px(0), py(ylo), px(0), py(yhi));
  ctx.strokeStyle = '#0b6e4f';
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (var i = 0; i <= 120; i++) {
    var x = lo + (hi - lo) * i / 120;
    if (i === 0) ctx.moveTo(px(x), py(g(x))); else ctx.lineTo(px(x), py(g(x)));
  }
  ctx.stroke();
  ctx.fillStyle = 'rgba(178,24,43,0.55)';
  for (var k = 0; k < fc.v.length; k++) {
    var a = Viz.value(fc.v[k]), b = Viz.value(gelu.v[k]);
    if (isFinite(a) && isFinite(b)) ctx.fillRect(px(a) - 1.5, py(b) - 1.5, 3, 3);
  }
  ctx.fillStyle = '#5f6b76';
  ctx.font = '11px sans-serif';
  ctx.fillText('fc →', w - 40, py(0) - 4);
  ctx.fillText('gelu', px(0) + 4, 12);
  ctx.fillText(Viz.fmt(lo), pad - 4, h - 8);
  ctx.fillText(Viz.fmt(hi), w - 40, h - 8);
  return canvas;
};

function erf(x) { // Abramowitz–Stegun 7.1.26, enough for a plot
  var s = x < 0 ? -1 : 1;
  x = Math.abs(x);
  var t = 1 / (1 + 0.3275911 * x);
  var y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    * Math.exp(-x * x);
  return s * y;
}
