/* The page: reads the run's data, draws the controls (step, layer, head) and the sections, and reports what it drew
   as data-* attributes on the body element (data-sections, data-heatmaps, data-nonblank-heatmaps, data-errors) for the
   browser test. With #selftest in the URL it also hovers a heat-map cell (data-hover) and renders every step,
   layer and head once (data-selftest-renders). */
'use strict';
(function () {
  var el = Viz.el;
  var d = JSON.parse(document.getElementById('viz-data').textContent);
  decode(d);
  var ORDER = [
    ['input', Sections.input, false], ['embedding', Sections.embedding, true],
    ['layernorm', Sections.layerNorm, true], ['attention', Sections.attention, true],
    ['projection', Sections.projection, true], ['mlp', Sections.mlp, true], ['blocks', Sections.blocks, true],
    ['output', Sections.output, false], ['loop', Sections.loop, false]];
  var initialTemp = Math.max(0, d.temperatures.indexOf(1));
  var state = { step: 0, layer: 0, head: 0, temp: initialTemp };

  function summary() {
    var m = d.model;
    var box = document.getElementById('summary');
    box.textContent = '';
    box.appendChild(el('span', null, [el('strong', { text: '“' + Viz.short(d.promptText, 40) + '” → “'
      + Viz.short(d.generatedText, 40) + '”' }), '  ·  ' + m.name + ': ' + m.nLayer + ' layers × ' + m.nHead
      + ' heads, width ' + m.nEmbd + ', vocabulary ' + m.vocab + ', context ' + m.nPositions + '  ·  backend '
      + m.backend + '  ·  ' + d.sampling]));
  }

  function option(value, text, selected) {
    return el('option', { value: value, selected: selected, text: text });
  }

  function controls() {
    var nav = document.getElementById('controls');
    nav.textContent = '';
    var stepSel = el('select', { id: 'step-select', 'aria-label': 'generation step',
      onchange: function () { set({ step: Number(stepSel.value) }); } });
    d.steps.forEach(function (s, i) {
      stepSel.appendChild(option(i, 'step ' + i + ': → ' + Viz.short(d.tokens[String(s.chosen)], 12)
        + (s.traced ? '' : ' (output only)'), i === state.step));
    });
    var layerSel = el('select', { id: 'layer-select', 'aria-label': 'layer',
      onchange: function () { set({ layer: Number(layerSel.value) }); } });
    for (var l = 0; l < d.model.nLayer; l++) layerSel.appendChild(option(l, String(l), l === state.layer));
    var headSel = el('select', { id: 'head-select', 'aria-label': 'head',
      onchange: function () { set({ head: Number(headSel.value) }); } });
    for (var h = 0; h < d.model.nHead; h++) headSel.appendChild(option(h, String(h), h === state.head));
    nav.appendChild(el('label', null, ['Step',
      el('button', { id: 'prev-step', title: 'previous step', disabled: state.step === 0,
        onclick: function () { set({ step: state.step - 1 }); }, text: '◀' }), stepSel,
      el('button', { id: 'next-step', title: 'next step', disabled: state.step === d.steps.length - 1,
        onclick: function () { set({ step: state.step + 1 }); }, text: '▶' })]));
    nav.appendChild(el('label', null, ['Layer', layerSel]));
    nav.appendChild(el('label', null, ['Head', headSel]));
  }

  function notes() {
    if (!d.notes.length) return null;
    return el('div', { class: 'notes', id: 'sampling-notes' }, [el('strong', { text: 'Sampled to keep this page '
      + 'small: ' }), el('ul', null, d.notes.map(function (n) { return el('li', { text: n }); }))]);
  }

  function render() {
    var page = document.getElementById('page');
    page.textContent = '';
    var n = notes();
    if (n) page.appendChild(n);
    var s = d.steps[state.step];
    var temp = { index: state.temp, set: function (i) { state.temp = i; report(); } };
    ORDER.forEach(function (entry, i) {
      page.appendChild(section(entry, i, s, temp));
    });
  }

  function section(entry, i, s, temp) {
    var id = entry[0], built;
    try {
      if (entry[2] && !s.traced) {
        var which = d.tracedSteps === 1 ? 'step 0 keeps' : 'steps 0–' + (d.tracedSteps - 1) + ' keep';
        built = { title: titleOf(id), body: null, untraced: true, text: id !== 'embedding'
          ? 'Step ' + state.step + ' was not traced (see section 2).'
          : 'Step ' + state.step + ' was not traced: only ' + which + ' every intermediate for a model this size. '
            + 'Choose ' + (d.tracedSteps === 1 ? 'it' : 'one of those') + ' above; the output and the loop below are '
            + 'shown for every step.' };
      } else {
        built = entry[1](d, s, state, id === 'output' ? temp : select);
      }
    } catch (e) {
      window.__vizNote('section ' + id + ': ' + (e && e.message ? e.message : e));
      built = { title: titleOf(id), text: 'This section could not be drawn: ' + e, body: null };
    }
    return el('section', { id: 'sec-' + id, 'data-section': id }, [
      el('h2', null, [el('span', { class: 'num', text: (i + 1) + '.' }), built.title]),
      el('p', { class: built.untraced ? 'untraced' : null, text: built.text }), built.body]);
  }

  function titleOf(id) {
    return { embedding: 'Embedding', layernorm: 'Layer norm', attention: 'Self-attention',
      projection: 'Projection and residual', mlp: 'MLP', blocks: 'The stack of blocks' }[id] || id;
  }

  function select(step) { set({ step: step }); }

  function set(change) {
    Object.keys(change).forEach(function (k) { state[k] = change[k]; });
    state.step = Math.max(0, Math.min(d.steps.length - 1, state.step));
    controls();
    render();
    report();
  }

  /** What the page drew, for the browser test (and anyone curious). */
  function report() {
    var b = document.body;
    var sections = document.querySelectorAll('section[data-section]');
    var canvases = document.querySelectorAll('canvas.heatmap');
    var nonBlank = 0;
    canvases.forEach(function (c) { if (Viz.nonBlank(c)) nonBlank++; });
    b.setAttribute('data-sections', String(sections.length));
    b.setAttribute('data-section-names', Array.prototype.map.call(sections, function (s) {
      return s.getAttribute('data-section'); }).join(','));
    b.setAttribute('data-heatmaps', String(canvases.length));
    b.setAttribute('data-nonblank-heatmaps', String(nonBlank));
    b.setAttribute('data-chosen', String(document.querySelectorAll('.chosen').length));
    b.setAttribute('data-sampled', d.notes.length ? 'true' : 'false');
    b.setAttribute('data-steps', String(d.steps.length));
    b.setAttribute('data-traced-steps', String(d.tracedSteps));
    b.setAttribute('data-errors', String(window.__vizErrors.length));
  }

  /** Hovers the middle of a cell of the heat-map `key` and returns the tooltip's text. */
  function hover(key, row, col) {
    var canvas = document.querySelector('canvas.heatmap[data-key="' + key + '"]');
    if (!canvas) throw new Error('self-test: no heat-map ' + key);
    canvas.scrollIntoView();
    var g = canvas.__cells, box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: box.left + g.ml + (col + 0.5) * g.cw,
      clientY: box.top + g.mt + (row + 0.5) * g.ch }));
    var tip = document.getElementById('tooltip');
    return tip.hidden ? '' : tip.firstChild.textContent + ' | ' + tip.lastChild.textContent;
  }

  function selfTest() {
    var b = document.body, renders = 0;
    var head = Math.min(1, d.model.nHead - 1);
    set({ head: head });
    var sm = d.steps[0].maps['h0.attSm#' + head];
    b.setAttribute('data-hover', hover('h0.attSm#' + head, sm.r[2] - 1, Math.min(2, sm.c[2] - 1)));
    b.setAttribute('data-hover-norm', hover('‖x‖', d.model.nLayer, 0));
    document.getElementById('tooltip').hidden = true;
    var slider = document.querySelector('#sec-output input[type=range]');
    slider.value = '0';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    b.setAttribute('data-temperature', document.querySelector('#sec-output .temp strong').textContent + ' '
      + document.querySelector('#sec-output tr.chosen').children[5].textContent);
    var i;
    for (i = 0; i < d.steps.length; i++) { set({ step: i, layer: 0, head: 0 }); renders++; }
    for (i = 0; i < d.model.nLayer; i++) { set({ step: 0, layer: i, head: 0 }); renders++; }
    for (i = 0; i < d.model.nHead; i++) { set({ step: 0, layer: d.model.nLayer - 1, head: i }); renders++; }
    set({ step: 0, layer: 0, head: 0, temp: initialTemp });
    window.scrollTo(0, 0);
    b.setAttribute('data-selftest-renders', String(renders));
    b.setAttribute('data-selftest', 'done');
  }

  /**
   * Turns stored values into numbers: k stands for k·10^e, null for −∞ (masked), strings for NaN / ∞. Splits
   * per-head tensors into one map per head (key name#h) and rebuilds delta steps: a delta map holds only the new
   * position's row; the earlier rows are the previous step's (in attention maps each earlier row gains the new key
   * column, masked: `fill`).
   */
  function decode(data) {
    data.steps.forEach(function (s, i) {
      if (!s.traced) return;
      var maps = {};
      Object.keys(s.maps).forEach(function (name) {
        var m = s.maps[name], e = m.e || 0;
        var num = function (x) {
          if (x === null) return -Infinity;
          if (typeof x === 'string') return Number(x);
          return e < 0 ? x / Math.pow(10, -e) : x * Math.pow(10, e);
        };
        var values = m.v.map(num), heads = m.heads || 0, per = values.length / Math.max(1, heads);
        for (var h = 0; h < Math.max(1, heads); h++) {
          var one = { name: name, shape: m.shape, r: m.r, c: m.c, ck: m.ck, v: values.slice(h * per, (h + 1) * per) };
          if (heads) one.head = h;
          var key = heads ? name + '#' + h : name;
          if (m.delta) one.v = rebuild(data.steps[i - 1].maps[key], one.v, m.ck === 'pos' ? num(m.fill) : null);
          if (one.v.length !== one.r[2] * one.c[2]) throw new Error('cannot rebuild ' + key + ' of step ' + i);
          maps[key] = one;
        }
      });
      s.maps = maps;
    });
  }

  function rebuild(previous, lastRow, fill) {
    if (fill === null) return previous.v.concat(lastRow);
    var rows = previous.r[2], pc = previous.c[2], v = [];
    for (var r = 0; r < rows; r++) v = v.concat(previous.v.slice(r * pc, (r + 1) * pc), [fill]);
    return v.concat(lastRow);
  }

  /** #step=N&layer=L&head=H (any of them) opens the page there. */
  function fromHash() {
    var change = {};
    ['step', 'layer', 'head'].forEach(function (k) {
      var m = new RegExp('(?:^|[#&])' + k + '=(\\d+)').exec(location.hash);
      if (m) change[k] = Number(m[1]);
    });
    change.layer = Math.min(change.layer || 0, d.model.nLayer - 1);
    change.head = Math.min(change.head || 0, d.model.nHead - 1);
    return change;
  }

  summary();
  set(fromHash());
  if (location.hash === '#selftest') {
    try { selfTest(); } catch (e) { window.__vizNote('self-test: ' + (e && e.message ? e.message : e)); }
    report();
  }
  document.body.setAttribute('data-ready', '1');
})();
