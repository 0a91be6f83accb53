/* The walkthrough's sections, the same as `gpt explain` prints: each is a title, one or two plain sentences with
   this run's numbers, and its tensors as heat-maps. Each builder gets (d: the data, s: the step's data,
   st: {step, layer, head, temp}) and returns {title, text, body}. */
'use strict';
var Sections = window.Sections = {};
(function () {
  var el = Viz.el;

  function tokText(d, id) { return d.tokens[String(id)]; }
  function quoted(d, id) { return '“' + Viz.short(tokText(d, id), 24) + '”'; }
  function posLabel(d, s) { return function (p) { return p + ' ' + Viz.short(tokText(d, s.input[p]), 6); }; }
  function posDescribe(d, s, colWord) {
    return function (p, c) {
      return 'position ' + p + ' ' + quoted(d, s.input[p]) + ', ' + colWord + ' ' + c;
    };
  }
  function map(s, key) {
    var block = /^block(\d+)$/.exec(key);
    if (block && !s.maps[key] && s.maps['h' + block[1] + '.mlpResid']) {
      // blockN is hN.mlpResid (the residual stream after block N): the data holds it once
      var same = s.maps['h' + block[1] + '.mlpResid'];
      return { name: key, shape: same.shape, r: same.r, c: same.c, ck: same.ck, v: same.v };
    }
    var m = s.maps[key];
    if (!m) throw new Error('the page data lacks the heat-map ' + key);
    return m;
  }
  function sampledNote(m, what) {
    var parts = [];
    if (m.r[1] > 1) parts.push('every ' + ord(m.r[1]) + ' of ' + m.r[3] + ' positions');
    if (m.c[1] > 1) parts.push('every ' + ord(m.c[1]) + ' of ' + m.c[3] + ' ' + what);
    return parts.length ? 'showing ' + parts.join(', ') : '';
  }
  function ord(n) {
    var m = n % 100;
    return n + (m >= 11 && m <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th');
  }
  function shape(m) { return '[' + m.shape.join('×') + ']'; }
  function channelMap(d, s, key, extra) {
    var m = map(s, key);
    var o = {
      sub: shape(m) + (sampledNote(m, 'channels') ? ' · ' + sampledNote(m, 'channels') : ''),
      rowLabel: posLabel(d, s), describe: posDescribe(d, s, 'channel'), highlightRows: [s.input.length - 1]
    };
    Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
    return Viz.heatmap(m, o);
  }
  Sections.channelMap = channelMap;
  function maps(children) { return el('div', { class: 'maps' }, children); }
  function n3(v) { return Viz.fmt(Viz.value(v)); }

  Sections.input = function (d, s, st) {
    var t = s.input.length, first = Math.max(0, t - 64);
    var chips = [];
    if (first > 0) chips.push(el('span', { class: 'arrow', text: '… ' + first + ' earlier tokens' }));
    for (var p = first; p < t; p++) {
      chips.push(el('span', { class: 'tok' + (p >= d.prompt.length ? ' gen' : ''), title: 'position ' + p + ', id '
        + s.input[p] }, [el('span', { class: 'pos', text: String(p) }), Viz.shown(tokText(d, s.input[p])),
        el('span', { class: 'id', text: '#' + s.input[p] })]));
    }
    chips.push(el('span', { class: 'arrow', text: '→' }));
    chips.push(el('span', { class: 'tok chosen', title: 'the token this step chooses' }, [
      el('span', { class: 'pos', text: 'next' }), Viz.shown(tokText(d, s.chosen)),
      el('span', { class: 'id', text: '#' + s.chosen })]));
    return {
      title: 'Input',
      text: 'The prompt is split into tokens, each a number in the vocabulary of ' + d.model.vocab + '. Step '
        + st.step + ' feeds ' + t + ' tokens (' + d.prompt.length + ' of the prompt, ' + (t - d.prompt.length)
        + ' generated so far) and chooses ' + quoted(d, s.chosen) + ' (highlighted); every step appends the token it'
        + ' chose and runs again.',
      body: el('div', { class: 'tokens' }, chips)
    };
  };

  Sections.embedding = function (d, s) {
    return {
      title: 'Embedding',
      text: 'Each token picks its row of the token embedding wte [' + d.model.vocab + '×' + d.model.nEmbd
        + '], each position its row of wpe [' + d.model.nPositions + '×' + d.model.nEmbd + ']. Their sum x is the '
        + 'start of the residual stream: one row of ' + d.model.nEmbd + ' numbers per position.',
      body: maps([channelMap(d, s, 'tok_emb'), channelMap(d, s, 'pos_emb'), channelMap(d, s, 'x')])
    };
  };

  Sections.layerNorm = function (d, s, st) {
    var l = st.layer, ln = s.ln[l], last = s.pos[2] - 1;
    var rows = [el('tr', null, [el('th', { class: 'l', text: 'position' }), el('th', { text: 'mean of ' + ln.in1 }),
      el('th', { text: 'variance' }), el('th', { text: 'standard deviation' })])];
    for (var i = 0; i < s.pos[2]; i++) {
      var p = Viz.index(s.pos, i);
      rows.push(el('tr', null, [el('td', { class: 'l', text: p + ' ' + Viz.short(tokText(d, s.input[p]), 10) }),
        el('td', { text: n3(ln.mean1[i]) }), el('td', { text: n3(ln.var1[i]) }),
        el('td', { text: Viz.fmt(Math.sqrt(Viz.value(ln.var1[i]))) })]));
    }
    return {
      title: 'Layer norm (layer ' + l + ', ln_1)',
      text: 'Each position\'s vector is shifted to mean 0 and scaled to variance 1 (ε = ' + d.model.eps + '), then '
        + 'multiplied by a learned weight and shifted by a learned bias. At the last position the input ' + ln.in1
        + ' has mean ' + n3(ln.mean1[last]) + ' and variance ' + n3(ln.var1[last]) + '.',
      body: el('div', { class: 'row' }, [el('table', { class: 'num' }, rows),
        maps([channelMap(d, s, ln.in1, { title: ln.in1 + ' (input)' }), channelMap(d, s, 'h' + l + '.ln1')])])
    };
  };

  Sections.attention = function (d, s, st) {
    var l = st.layer, h = st.head, a = d.model.headSize, key = '#' + h;
    var att = map(s, 'h' + l + '.att' + key), sm = map(s, 'h' + l + '.attSm' + key);
    var pl = posLabel(d, s);
    function qk(p, k) { return 'query ' + p + ' ' + quoted(d, s.input[p]) + ' → key ' + k + ' ' + quoted(d, s.input[k]); }
    var n = sm.r[2], lastRow = sm.v.slice((n - 1) * sm.c[2], n * sm.c[2]).map(Viz.value);
    var best = 0;
    lastRow.forEach(function (v, j) { if (v > lastRow[best]) best = j; });
    var bestKey = Viz.index(sm.c, best), lastPos = Viz.index(sm.r, n - 1);
    var dimsMap = function (name) {
      var m = map(s, 'h' + l + '.' + name + key);
      return Viz.heatmap(m, { sub: shape(m) + ' head ' + h + (sampledNote(m, 'dimensions') ? ' · '
        + sampledNote(m, 'dimensions') : ''), rowLabel: pl, describe: posDescribe(d, s, 'dimension'), cell: 14 });
    };
    var start = h * a;
    return {
      title: 'Self-attention (layer ' + l + ', head ' + h + ' of ' + d.model.nHead + ')',
      text: 'c_attn turns each normalised vector into a query, a key and a value of ' + a + ' numbers per head. '
        + 'Each query is dotted with the keys of its own and earlier positions and scaled by 1/√' + a + ' = '
        + Viz.fmt(1 / Math.sqrt(a)) + '; later positions are masked (hatched grey, −∞), so a token never sees the '
        + 'future. Softmax turns each row into weights that sum to 1: here the last position (' + lastPos + ') '
        + 'attends most to position ' + bestKey + ' ' + quoted(d, s.input[bestKey]) + ' (' + Viz.fmt(lastRow[best])
        + '). Each output is the weighted sum of the value vectors; the heads\' outputs are concatenated into y.',
      body: el('div', null, [
        d.qkv ? maps([dimsMap('q'), dimsMap('k'), dimsMap('v')])
          : el('p', { class: 'untraced', text: 'q, k and v are not on this page (see the note at the top).' }),
        maps([
          Viz.heatmap(att, { title: 'h' + l + '.att', sub: 'scores q·k/√' + a + ', head ' + h + ', rows = queries, '
            + 'columns = keys' + (sampledNote(att, 'positions') ? ' · ' + sampledNote(att, 'positions') : ''),
            square: true,
            rowLabel: pl, colLabel: String, describe: qk }),
          Viz.heatmap(sm, { title: 'h' + l + '.attSm', sub: 'softmax of each row, head ' + h, square: true,
            rowLabel: pl, colLabel: String, describe: qk, fixedScale: 1, highlightRows: [lastPos] }),
          channelMap(d, s, 'h' + l + '.y', { colBand: [start, start + a],
            sub: shape(map(s, 'h' + l + '.y')) + ' · head ' + h + ' writes channels ' + start + '–'
              + (start + a - 1) + ' (outlined)' })
        ])])
    };
  };

  Sections.projection = function (d, s, st) {
    var l = st.layer;
    return {
      title: 'Projection and residual (layer ' + l + ')',
      text: 'c_proj mixes the heads (yProj), and the result is added to the input of the layer: attnResid = '
        + (l === 0 ? 'x' : 'block' + (l - 1)) + ' + yProj. This residual stream carries each layer\'s contribution '
        + 'forward.',
      body: maps([channelMap(d, s, 'h' + l + '.yProj'), channelMap(d, s, 'h' + l + '.attnResid')])
    };
  };

  Sections.mlp = function (d, s, st) {
    var l = st.layer, c = d.model.nEmbd, fc = map(s, 'h' + l + '.fc'), gelu = map(s, 'h' + l + '.gelu');
    var values = fc.v.map(Viz.value), negative = values.filter(function (v) { return v < 0; }).length;
    var ln = s.ln[l], last = s.pos[2] - 1;
    return {
      title: 'MLP (layer ' + l + ')',
      text: 'ln_2 normalises again (its input attnResid has mean ' + n3(ln.mean2[last]) + ' and variance '
        + n3(ln.var2[last]) + ' at the last position); c_fc expands ' + c + ' → ' + 4 * c + ', GELU (' + d.model.gelu
        + ' form) lets positive values through and squashes negative ones toward 0 (' + negative + ' of the '
        + values.length + ' fc values shown are negative), c_proj brings it back to ' + c + ', and the result is '
        + 'added to the residual: mlpResid = attnResid + mlp.',
      body: el('div', null, [
        maps([channelMap(d, s, 'h' + l + '.ln2'), channelMap(d, s, 'h' + l + '.fc')]),
        maps([channelMap(d, s, 'h' + l + '.gelu'), el('figure', { class: 'hm' }, [el('figcaption', null, [
          el('span', { class: 'nm', text: 'GELU' }), ' ',
          el('span', { class: 'sub', text: 'the curve, and each shown (fc, gelu) pair as a dot' })]),
          Viz.geluPlot(fc, gelu, d.model.gelu)])]),
        maps([channelMap(d, s, 'h' + l + '.mlp'), channelMap(d, s, 'h' + l + '.mlpResid')])])
    };
  };

  Sections.blocks = function (d, s, st) {
    var L = d.model.nLayer, names = ['x'], values = [];
    for (var b = 0; b < L; b++) names.push('block' + b);
    s.norms.forEach(function (row) { values = values.concat(row); });
    var norms = { name: '‖x‖', shape: [L + 1, s.pos[3]], r: [0, 1, L + 1, L + 1], c: s.pos, ck: 'pos', v: values };
    var last = s.norms.map(function (row) { return Viz.fmt(Viz.value(row[row.length - 1])); });
    return {
      title: 'The stack of blocks',
      text: 'That was block ' + st.layer + '. ' + L + ' blocks of the same shape run one after the other, each '
        + 'reading and adding to the residual stream. Its length at the last position grows ' + last[0] + ' → '
        + last.slice(1).join(' → ') + '.',
      body: maps([
        Viz.heatmap(norms, { title: '‖residual‖', sub: 'length of each position\'s vector after each block',
          rowLabel: function (r) { return names[r]; }, colLabel: String, highlightRows: [st.layer + 1],
          hoverName: function (r, p) { return '‖' + names[r] + '[' + p + ']‖'; },
          describe: function (r, p) { return 'position ' + p + ' ' + quoted(d, s.input[p]); }, cell: 24 }),
        channelMap(d, s, 'block' + st.layer, { title: 'block' + st.layer + ' (after layer ' + st.layer + ')' })])
    };
  };

  Sections.output = function (d, s, st, temp) {
    function table(tIdx) {
      var tau = d.temperatures[tIdx];
      var t = el('table', { class: 'num' }, [el('tr', null, ['#', 'token', 'id', 'logit', 'logit / τ',
        'probability', ''].map(function (h, i) { return el('th', { class: i === 1 ? 'l' : null, text: h }); }))]);
      s.top.forEach(function (e, i) {
        var p = Viz.value(e.p[tIdx]), chosen = e.id === s.chosen;
        t.appendChild(el('tr', { class: chosen ? 'chosen' : null }, [el('td', { text: String(i + 1) }),
          el('td', { class: 'l', text: Viz.shown(tokText(d, e.id)) }), el('td', { text: String(e.id) }),
          el('td', { text: n3(e.logit) }), el('td', { text: Viz.fmt(Viz.value(e.logit) / tau) }),
          el('td', { text: p.toFixed(4) }),
          el('td', { class: 'l' }, [el('span', { class: 'pbar', style: 'width:' + Math.round(p * 160) + 'px' }),
            chosen ? ' ← chosen' : ''])]));
      });
      return t;
    }
    function label(tIdx) {
      var tau = d.temperatures[tIdx];
      return [el('strong', { text: String(tau) }), ' ', el('span', { class: 'sub', text: tau === 1
        ? '(as generated)' : '(what sampling at this temperature would draw from)' })];
    }
    var shownTable = table(temp.index), shownLabel = el('span', null, label(temp.index));
    var slider = el('input', { type: 'range', min: 0, max: d.temperatures.length - 1, step: 1, value: temp.index,
      'aria-label': 'temperature', oninput: function () {
        // only the table and the label change, so the slider keeps its drag
        var k = Number(slider.value), next = table(k);
        shownTable.replaceWith(next);
        shownTable = next;
        shownLabel.textContent = '';
        label(k).forEach(function (c) { shownLabel.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
        temp.set(k);
      } });
    var kids = [el('div', { class: 'temp' }, ['temperature τ', slider, shownLabel]), shownTable];
    var figs = [];
    if (s.traced) {
      figs.push(channelMap(d, s, 'ln_f'));
      if (s.maps.lm_head) {
        ['lm_head', 'probs'].forEach(function (k) {
          figs.push(Viz.heatmap(s.maps[k], { sub: shape(s.maps[k]) + (k === 'probs' ? ' · softmax' : ' · logits'),
            rowLabel: posLabel(d, s), colLabel: function (id) { return Viz.short(tokText(d, id), 4); },
            describe: function (p, id) { return 'position ' + p + ' → token ' + id + ' ' + quoted(d, id); },
            highlightRows: [s.input.length - 1], fixedScale: k === 'probs' ? 1 : null, cell: 22 }));
        });
      }
    }
    var shown = s.top.length < d.model.vocab ? ' (the ' + s.top.length + ' most likely of ' + d.model.vocab
      + ' tokens)' : '';
    return {
      title: 'Output: logits → softmax → temperature → chosen token',
      text: 'ln_f normalises the last position; multiplying by the LM head (' + (d.model.tied ? 'the token embedding '
        + 'itself' : 'its own weight') + ') gives one logit per token' + shown + '. softmax(logits / τ) gives '
        + 'probabilities: below 1 the temperature sharpens them, above 1 it flattens them. This run is '
        + d.sampling + ', so it takes the most likely token: ' + quoted(d, s.chosen) + ' (id ' + s.chosen
        + ', p = ' + Viz.fmt(Viz.value(s.pChosen)) + ').',
      body: el('div', { class: 'row' }, [el('div', null, kids), maps(figs)])
    };
  };

  Sections.loop = function (d, s, st, select) {
    var list = el('ul', { class: 'steps' });
    d.steps.forEach(function (x, i) {
      var from = Math.max(0, x.input.length - 16), text = '';
      for (var p = from; p < x.input.length; p++) text += tokText(d, x.input[p]);
      var label = 'step ' + i + ': ' + (from > 0 ? '…' : '') + Viz.shown(text) + ' → ' + Viz.shown(tokText(d, x.chosen))
        + '  (p = ' + Viz.value(x.pChosen).toFixed(3) + ')' + (x.traced ? '' : '  · output only');
      list.appendChild(el('li', null, [el('button', {
        class: i === st.step ? 'current chosen' : null, onclick: function () { select(i); }, text: label })]));
    });
    var all = d.prompt.concat(d.steps.map(function (x) { return x.chosen; }));
    var chips = all.map(function (id, p) {
      var gen = p >= d.prompt.length, now = p === d.prompt.length + st.step;
      return el('span', { class: 'tok' + (gen ? ' gen' : '') + (now ? ' chosen' : '') }, [
        el('span', { class: 'pos', text: String(p) }), Viz.shown(tokText(d, id))]);
    });
    return {
      title: 'The loop',
      text: 'The chosen token is appended and the model runs again, until ' + d.steps.length + ' tokens are '
        + 'generated. Click a step to walk through it. The result: “' + Viz.shown(d.generatedText) + '”.'
        + (d.deltaSteps > 0 ? ' Each step recomputes the earlier positions exactly as before (attention only looks '
        + 'back), so for steps after the first this page stores only the new position; a KV cache saves that work '
        + 'the same way.' : ''),
      body: el('div', null, [list, el('div', { class: 'tokens' }, chips.length > 200 ? chips.slice(-200) : chips)])
    };
  };
})();
