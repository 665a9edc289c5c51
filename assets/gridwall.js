/* The wall's clientside behaviour, in one namespace (window.gridwall):
 *   fit      scale the fixed logical canvas to the screen (contain | width | stretch)
 *   clock    the title bar clock, ticking in the browser (no server round trip)
 *   countUp  KPI numerals count up to their new values (数字翻牌)
 *   boards   long lists scroll row by row like a station board (轮播)
 *   keys     Esc goes up one drill level
 *   recover  a failed callback (server restart, network drop) → poll /api/health → reload
 * and the Dash clientside callbacks (window.dash_clientside.gridwall).
 * Settings come from data-* attributes on #gw-canvas, written by the server from settings.toml. */
(function () {
  'use strict';
  var gw = window.gridwall = window.gridwall || {};

  function canvas() { return document.getElementById('gw-canvas'); }

  /* --- fit ------------------------------------------------------------------------------ */
  /* the wall's panels as the operator gave them: URL ?splice= over settings [wall] splice
   * (data-splice); {c: columns, r: rows} or null (none, "none", "1x1", or a value the wall
   * has no layout for: the server's URL notice says so) */
  gw.splice = function (c) {
    var q = null;
    try { q = new URLSearchParams(window.location.search).get('splice'); } catch (e) { q = null; }
    var ok = (c.dataset.splices || '').split(' ');
    function norm(v) {
      v = (v || '').trim().toLowerCase().replace(/[×*]/g, 'x').replace(/ /g, '');
      if (v === '' || v === 'none' || v === '1x1') { return ''; }
      return ok.indexOf(v) >= 0 ? v : null;
    }
    var s = q === null ? null : norm(q);
    if (s === null) { s = norm(c.dataset.splice); }
    if (!s) { return null; }
    var p = s.split('x');
    return { c: +p[0], r: +p[1], name: s };
  };

  gw.fit = function () {
    var c = canvas();
    if (!c) { return false; }
    var cw = +c.dataset.cw || 1920, ch = +c.dataset.ch || 1080, mode = c.dataset.fit || 'contain';
    var W = window.innerWidth, H = window.innerHeight;
    var wideAt = +c.dataset.wide || 2.2, tallAt = +c.dataset.tall || 1.2;
    var sp = gw.splice(c);
    if (c.dataset.auto === '1') {
      /* not pinned: a spliced wall wider than wideAt:1 gets a canvas of its own aspect in the
       * wide layout (reflow, same text size), not a letterboxed middle third; a stacked wall
       * (1x2 panels, 1920x2160) a canvas as high as it is, in the tall layout, not a
       * 1920x1080 band with the bezel through the middle of the map */
      if (W / H > wideAt) { cw = Math.round(ch * W / H); }
      else if (W / H < tallAt) { ch = Math.round(cw * H / W); }
      else if (sp && sp.name === '3x3') {
        /* nine panels: a canvas of 2560x1440 (text 2.25 times 1080's on 5760x3240), room
         * for every panel in whole cells between the bezels; 1920x1080 left them none */
        ch = 1440; cw = Math.round(ch * W / H);
      }
      c.classList.toggle('gw-wide', cw / ch > wideAt);
      c.classList.toggle('gw-tall', cw / ch < tallAt);
    }
    var changed = c.style.width !== cw + 'px' || c.style.height !== ch + 'px';
    var sx = W / cw, sy = H / ch, tx = 0, ty = 0;
    if (mode === 'contain') {
      sx = sy = Math.min(sx, sy);
      tx = (W - cw * sx) / 2; ty = (H - ch * sy) / 2;
    } else if (mode === 'width') {
      sy = sx;                                  /* fill the width; a taller canvas is cut at the bottom */
      ty = Math.max(0, (H - ch * sy) / 2);
    }
    c.style.width = cw + 'px';
    c.style.height = ch + 'px';
    c.style.transform = 'translate(' + tx + 'px,' + ty + 'px) scale(' + sx + ',' + sy + ')';
    /* bezels: a wall of 1080p panels has a seam every 1920 device pixels (4K panels every
     * 3840, a subset of them). Three (or six) panels wide, the eight KPI tiles go 3+2+3 so
     * that no seam runs through a tile's figure (4+4 and 2+2+2+2 already meet the seams in
     * the gaps), and the wide layout gives the map the middle panel. Only when the canvas
     * spans the screen's width (its seams are then the canvas's). A splice given by the
     * operator says how many panels there are, whatever the pixels per panel */
    var dev = W * (window.devicePixelRatio || 1), cols = Math.round(dev / 1920);
    var seams = cols >= 2 && Math.abs(dev - cols * 1920) < 2 && Math.abs(cw * sx - W) < 1;
    if (sp) { cols = sp.c; seams = cols >= 2 && Math.abs(cw * sx - W) < 1; }
    var wide = cw / ch > wideAt;
    c.classList.toggle('gw-seams-3', seams && cols % 3 === 0);
    /* an even number of panels in a row puts a seam at the middle of a wide wall, where the
     * event card opened: it opens left of it (a single 4K screen, 16:9, is left alone; a
     * 2x2 splice is not) */
    c.classList.toggle('gw-seam-mid', seams && cols % 2 === 0 && (wide || !!sp));
    /* a wide wall of an even number of panels in a row (2x1 3840x1080, 4x1 7680x1080, 4x2
     * 7680x2160, 2x1 of 4K) gets the ultra layout: eight columns, the bezels between them,
     * the map on one panel (gridwall.css); the wide one put a bezel through the middle of
     * the county, and on four panels through the trend and the ranking */
    if (c.dataset.auto === '1') {
      var four = seams && cols % 2 === 0 && wide, ultra = cw / ch > (+c.dataset.ultra || 6);
      c.classList.toggle('gw-ultra', ultra || four);
      /* under 6:1 (3840x1080, 7680x2160) a column is as narrow as a list on 1920x1080: its
       * rows as there */
      c.classList.toggle('gw-lists-1080', four && !ultra && !(sp && sp.r === 2));
    }
    /* a known splice: the bezels in canvas pixels (--gw-bx1.., --gw-by1..) for the layouts
     * of gridwall.css that put their gaps on them: 2x2 and 3x3 (16:9), and two rows of a
     * wide wall (3x2, 4x2) */
    var bx = [], by = [], i;
    if (sp) {
      for (i = 1; i < sp.c; i++) { bx.push((i * W / sp.c - tx) / sx); }
      for (i = 1; i < sp.r; i++) { by.push((i * H / sp.r - ty) / sy); }
      bx.forEach(function (v, k) { c.style.setProperty('--gw-bx' + (k + 1), v.toFixed(1) + 'px'); });
      by.forEach(function (v, k) { c.style.setProperty('--gw-by' + (k + 1), v.toFixed(1) + 'px'); });
    }
    var tall = cw / ch < tallAt;
    /* a splice of two or three rows (2x2, 3x2, 4x2, 3x3): the event card opens inside one row
     * of panels, the tallest under the KPI strip (the middle one of 3x3), its fields taken
     * from the end to fit (gw.fitEventCard); centred, a horizontal bezel ran through it */
    var row = null;
    if (sp && sp.r >= 2 && !tall) {
      var kp = c.querySelector('.gw-kpis'), below = kp ? kp.offsetTop + kp.offsetHeight : 0;
      var edges = [0].concat(by, [ch]);
      for (i = 0; i + 1 < edges.length; i++) {
        var top = Math.max(edges[i], below) + 16, room = edges[i + 1] - top - 16;
        if (!row || room > row.room + 1) { row = { top: top, room: room }; }
      }
      c.style.setProperty('--gw-ec-top', row.top.toFixed(1) + 'px');
      c.style.setProperty('--gw-ec-h', Math.max(200, Math.min(820, row.room)).toFixed(1) + 'px');
    }
    c.classList.toggle('gw-ec-row', !!row);
    c.classList.toggle('gw-splice', !!sp);
    c.classList.toggle('gw-splice-2x2', !!sp && sp.name === '2x2' && !wide && !tall);
    c.classList.toggle('gw-splice-3x3', !!sp && sp.name === '3x3' && !wide && !tall);
    c.classList.toggle('gw-rows-2', !!sp && sp.r === 2 && wide && seams && (cols === 3 || cols % 2 === 0));
    gw.bezels = sp ? { x: bx, y: by, screenX: bx.map(function (v) { return v * sx + tx; }),
                       screenY: by.map(function (v) { return v * sy + ty; }) } : null;
    c.classList.add('gw-ready');
    gw.scale = [sx, sy];
    gw.seamTitle();
    gw.mapLabels();
    gw.hotBoard();
    gw.fitEventCard();
    if (changed && gw.started) {           /* graphs follow a reflowed canvas */
      setTimeout(function () { window.dispatchEvent(new Event('resize')); }, 50);
    }
    return true;
  };
  window.addEventListener('resize', function () { gw.fit(); });

  /* the title on a wall with a bezel at its middle (gw-seam-mid) is centred on it: nudged by
   * less than half a character so the bezel falls between two characters (a name of odd
   * length put the middle character under it, cut in two halves on two panels). On a known
   * splice the same for every vertical bezel across the title and the URL notice under it */
  function nudge(h, seams) {
    h.style.transform = '';
    var t = h.firstChild;
    if (!t || t.nodeType !== 3 || h.scrollWidth > h.clientWidth + 1) { return; } /* cut with …: left alone */
    var s = (gw.scale && gw.scale[0]) || 1, left = canvas().getBoundingClientRect().left;
    var ls = parseFloat(getComputedStyle(h).letterSpacing) || 0;
    var r = document.createRange(), gaps = [], i;
    for (i = 1; i < t.length; i++) {         /* the middle of the spacing after character i */
      r.setStart(t, i - 1); r.setEnd(t, i);
      gaps.push((r.getBoundingClientRect().right - left) / s - ls / 2);
    }
    r.setStart(t, 0); r.setEnd(t, t.length);
    var box = r.getBoundingClientRect();
    var x0 = (box.left - left) / s, x1 = (box.right - left) / s;
    var hit = seams.filter(function (m) { return m > x0 && m < x1; });
    if (!hit.length || !gaps.length) { return; }
    /* the shift that keeps every bezel crossing the text nearest a gap between characters */
    var best = null, bestCost = Infinity;
    hit.forEach(function (m) {
      gaps.forEach(function (g) {
        var d = m - g, cost = 0;
        hit.forEach(function (m2) {
          var near = Infinity;
          gaps.forEach(function (g2) { near = Math.min(near, Math.abs(m2 - (g2 + d))); });
          cost = Math.max(cost, near);
        });
        cost += Math.abs(d) / 1000;
        if (cost < bestCost) { bestCost = cost; best = d; }
      });
    });
    if (best) { h.style.transform = 'translateX(' + best.toFixed(1) + 'px)'; }
  }
  gw.seamTitle = function () {
    var c = canvas(), h = document.getElementById('wall-title');
    if (!c || !h) { return; }
    if (gw.bezels) {
      nudge(h, gw.bezels.x);
      var n = document.getElementById('url-notice');
      if (n) { nudge(n, gw.bezels.x); }
      return;
    }
    h.style.transform = '';
    if (!c.classList.contains('gw-seam-mid')) { return; }
    nudge(h, [c.offsetWidth / 2]);
  };

  /* the map in 3x3's tall column: the figure is laid out for the 16:9 panel (a strip of 250 px
   * on the left for the hotspot board and the legend, the county fitted to the rest), so in a
   * column taller than wide the county filled the strip's width and left a third of the
   * height empty. Here the county (its fills; a drilled township: its outline) is drawn as
   * large as it goes with no vertex under the board, the legend or the controls, the strip
   * given back; elsewhere the figure's own layout is restored */
  gw.fitMap = function () {
    var c = canvas(), gd = document.querySelector('#map-graph .js-plotly-plot');
    if (!c || !gd || !gd._fullLayout || !window.Plotly) { return; }
    var fl = gd._fullLayout, on = c.classList.contains('gw-splice-3x3');
    if (!on) {
      if (gd.__gwFit) {
        var o = gd.__gwFit.orig;
        gd.__gwFit = null;
        window.Plotly.relayout(gd, { 'margin.l': o.l, 'margin.autoexpand': true,
                                     'xaxis.range': o.x, 'yaxis.range': o.y });
      }
      return;
    }
    var W = fl.width, H = fl.height;
    if (gd.__gwFit && fl.margin.l === 0 && gd.__gwFit.key === W + 'x' + H) { return; }
    /* a figure and size already tried without a gain: not searched again on every redraw */
    var tried = W + 'x' + H + ':' + fl.margin.l + ':' + fl.xaxis.range.join(',');
    if (gd.__gwTried === tried) { return; }
    var all = gd._fullData || [];        /* decoded: the figure's arrays may come as base64 */
    var sel = all.filter(function (t) { return t.name === '选中'; });
    var src = sel.length ? [sel[0]] : all.filter(function (t) {
      return t.legendgroup === 'choropleth' && t.fill === 'toself'; });
    var xs = [], ys = [];
    src.forEach(function (t) {
      for (var i = 0; i < (t.x || []).length; i++) {
        if (t.x[i] !== null && t.y[i] !== null && isFinite(t.x[i]) && isFinite(t.y[i])) {
          xs.push(+t.x[i]); ys.push(+t.y[i]);
        }
      }
    });
    if (xs.length < 3) { return; }
    var step = Math.max(1, Math.floor(xs.length / 1500)), px = [], py = [], k;
    for (k = 0; k < xs.length; k += step) { px.push(xs[k]); py.push(ys[k]); }
    var minx = Math.min.apply(null, xs), maxx = Math.max.apply(null, xs);
    var miny = Math.min.apply(null, ys), maxy = Math.max.apply(null, ys);
    var bw = Math.max(maxx - minx, 1e-9), bh = Math.max(maxy - miny, 1e-9);
    var ratio = fl.yaxis.scaleratio || 1, sc = (gw.scale && gw.scale[0]) || 1;
    var g = gd.getBoundingClientRect(), pad = 8, rects = [];
    [document.getElementById('hot-board'), gd.querySelector('.legend'),
     document.querySelector('#map-panel .map-controls')].forEach(function (e) {
      if (!e) { return; }
      var r = e.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      rects.push([(r.left - g.left) / sc - pad, (r.top - g.top) / sc - pad,
                  (r.right - g.left) / sc + pad, (r.bottom - g.top) / sc + pad]);
    });
    var now = fl.xaxis._length / Math.abs(fl.xaxis.range[1] - fl.xaxis.range[0]);
    var top = Math.min(W / (bw * 1.04), H / (bh * ratio * 1.04));
    function clear(s, ox, oy) {
      for (var i = 0; i < px.length; i++) {
        var X = ox + (px[i] - minx) * s, Y = oy + (maxy - py[i]) * s * ratio;
        for (var j = 0; j < rects.length; j++) {
          var q = rects[j];
          if (X > q[0] && X < q[2] && Y > q[1] && Y < q[3]) { return false; }
        }
      }
      return true;
    }
    var fit = null;
    for (var n = 0; n <= 24 && !fit; n++) {
      var s = top - (top - now) * n / 24;
      if (s <= now * 1.03) { break; }
      var cw = bw * s, ch = bh * s * ratio, m = 0.02 * Math.max(cw, ch);
      var spots = [];
      for (var a = 0; a <= 12; a++) {
        for (var b = 0; b <= 12; b++) {
          var ox = m + (W - cw - 2 * m) * a / 12, oy = m + (H - ch - 2 * m) * b / 12;
          spots.push([Math.abs(ox + cw / 2 - W / 2) + Math.abs(oy + ch / 2 - H / 2), ox, oy]);
        }
      }
      spots.sort(function (p, q) { return p[0] - q[0]; });
      for (k = 0; k < spots.length; k++) {
        if (clear(s, spots[k][1], spots[k][2])) { fit = [s, spots[k][1], spots[k][2]]; break; }
      }
    }
    if (!fit) { gd.__gwTried = tried; return; }
    var x0 = minx - fit[1] / fit[0], y1 = maxy + fit[2] / (fit[0] * ratio);
    var orig = fl.margin.l !== 0 || !gd.__gwFit ? {
      l: fl.margin.l, x: fl.xaxis.range.slice(), y: fl.yaxis.range.slice() } : gd.__gwFit.orig;
    gd.__gwFit = { key: W + 'x' + H, orig: orig };
    /* the legend floats over the map (no margin pushed out for it) */
    window.Plotly.relayout(gd, { 'margin.l': 0, 'margin.autoexpand': false,
                                 'xaxis.range': [x0, x0 + W / fit[0]],
                                 'yaxis.range': [y1 - H / (fit[0] * ratio), y1] });
  };

  /* the map's names on a known splice: a name a bezel runs through is moved to the side of
   * it where most of the name is (the map itself may cross bezels; its labels should not) */
  gw.mapLabels = function () {
    var gd = document.querySelector('#map-graph .js-plotly-plot');
    if (!gd) { return; }
    if (!gd.__gwLabels && gd.on) {
      gd.__gwLabels = true;
      gd.on('plotly_afterplot', function () { gw.mapLabels(); gw.hotBoard(); });
      gd.on('plotly_relayout', function () { gw.hotBoard(); });   /* a legend redrawn alone */
    }
    gw.fitMap();         /* also when the graph drew before the handler above was on */
    var texts = [].slice.call(gd.querySelectorAll('.textpoint text'));
    texts.forEach(function (el) { el.removeAttribute('transform'); el.style.visibility = ''; });
    if (gd.__gwFit && gd._fullLayout && gd._fullLayout.margin.l === 0) {
      /* refitted (gw.fitMap): a neighbour's name placed for the strip layout may now lie
       * under the hotspot board, the legend or the controls: left out, not half hidden */
      var over = [document.getElementById('hot-board'), gd.querySelector('.legend'),
                  document.querySelector('#map-panel .map-controls')].filter(function (e) {
        return e && e.getBoundingClientRect().width; }).map(function (e) {
        return e.getBoundingClientRect(); });
      texts.forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (over.some(function (o) { return r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top; })) {
          el.style.visibility = 'hidden';
        }
      });
    }
    var b = gw.bezels;
    if (!b) { gw.calloutLines(gd, texts); return; }
    var s = (gw.scale && gw.scale[0]) || 1, pad = 4;
    var boxes = texts.map(function (el) { return el.getBoundingClientRect(); });
    function overlap(r, k) {        /* the area it would cover of the other names */
      var sum = 0;
      boxes.forEach(function (o, j) {
        if (j === k) { return; }
        var w = Math.min(r.right, o.right) - Math.max(r.left, o.left);
        var h = Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top);
        if (w > 0 && h > 0) { sum += w * h; }
      });
      return sum;
    }
    texts.forEach(function (el, k) {
      var r = boxes[k];
      if (!el.textContent) { return; }
      /* each way off the bezels: the one landing least on other names, the shorter of
       * equals */
      var ways = [];
      b.screenX.forEach(function (x) {
        if (r.left < x && x < r.right) { ways.push([x - r.left + pad, 0], [-(r.right - x + pad), 0]); }
      });
      b.screenY.forEach(function (y) {
        if (r.top < y && y < r.bottom) { ways.push([0, y - r.top + pad], [0, -(r.bottom - y + pad)]); }
      });
      if (!ways.length) { return; }
      if (ways.length > 2) {          /* on a crossing: both moves at once */
        var cx = ways.filter(function (w) { return w[0]; }), cy = ways.filter(function (w) { return w[1]; });
        ways = [];
        cx.forEach(function (a) { cy.forEach(function (c) { ways.push([a[0], c[1]]); }); });
      }
      ways.sort(function (p, q) { return Math.abs(p[0]) + Math.abs(p[1]) - Math.abs(q[0]) - Math.abs(q[1]); });
      var pick = ways[0], least = Infinity;
      ways.forEach(function (m) {
        var a = overlap({ left: r.left + m[0], right: r.right + m[0], top: r.top + m[1],
                          bottom: r.bottom + m[1] }, k);
        if (a < least - 1) { least = a; pick = m; }
      });
      boxes[k] = { left: r.left + pick[0], right: r.right + pick[0], top: r.top + pick[1], bottom: r.bottom + pick[1] };
      el.setAttribute('transform', 'translate(' + (pick[0] / s).toFixed(1) + ',' + (pick[1] / s).toFixed(1) + ')');
    });
    gw.calloutLines(gd, texts);
  };

  /* a called-out name's leader line (layers.callout_lines: a dot on the small township, a
   * line to its name) follows its name: moved off a bezel above, the name left the line
   * pointing at where it had been; left out under the board or the legend, the line and its
   * dot go with it. Redrawn from the trace's data each time (the names' moves are reset and
   * taken again on every call), the segment's name from the trace's meta */
  gw.calloutLines = function (gd, texts) {
    var data = gd._fullData || [], lay = gd._fullLayout;
    if (!lay || !lay.xaxis || !lay.yaxis) { return; }
    data.forEach(function (t) {
      if (t.mode !== 'lines' || !Array.isArray(t.meta) || !t.meta.length) { return; }
      var g = gd.querySelector('.trace' + t.uid);
      var paths = g ? [].slice.call(g.querySelectorAll('path.js-line')) : [], path = paths[0];
      var dots = data.filter(function (d) { return d.name === t.name && d.mode === 'markers'; })
        .map(function (d) { var e = gd.querySelector('.trace' + d.uid);
          return e ? [].slice.call(e.querySelectorAll('path.point')) : []; })[0] || [];
      if (!path) { return; }
      var xa = lay.xaxis, ya = lay.yaxis, d = '', back = path.getScreenCTM();
      back = back && back.inverse();
      /* a name's box in the line's coordinates, as drawn (``moved``) or before the move
       * above (its own transform left out; plotly's text groups carry one of their own) */
      function box(e, moved) {
        var m = moved ? e.getScreenCTM() : e.parentNode.getScreenCTM(), bb = e.getBBox();
        if (!m || !back) { return null; }
        var a = new DOMPoint(bb.x, bb.y).matrixTransform(m).matrixTransform(back);
        var c = new DOMPoint(bb.x + bb.width, bb.y + bb.height).matrixTransform(m).matrixTransform(back);
        return { l: Math.min(a.x, c.x), r: Math.max(a.x, c.x), t: Math.min(a.y, c.y), b: Math.max(a.y, c.y) };
      }
      t.meta.forEach(function (name, i) {
        var ax = xa.c2p(t.x[3 * i]), ay = ya.c2p(t.y[3 * i]);
        var lx = xa.c2p(t.x[3 * i + 1]), ly = ya.c2p(t.y[3 * i + 1]);
        /* its name: the text of that name nearest the line's end as laid out (not moved) */
        var el = null, best = Infinity;
        texts.forEach(function (e) {
          if (e.textContent !== name) { return; }
          var q = box(e, false);
          if (!q) { return; }
          var gap = Math.max(q.l - lx, 0, lx - q.r) + Math.max(q.t - ly, 0, ly - q.b);
          if (gap < best) { best = gap; el = e; }
        });
        var hidden = el && el.style.visibility === 'hidden';
        if (dots[i]) { dots[i].style.display = hidden ? 'none' : ''; }
        if (hidden) { return; }
        var q = el && box(el, true), pad = 2;
        /* to the nearest point of the name's box where it is drawn: the end set for the 16:9
         * panel fell short of it on a larger map, and a name moved off a bezel left it */
        if (q && !(ax > q.l - pad && ax < q.r + pad && ay > q.t - pad && ay < q.b + pad)) {
          lx = Math.min(Math.max(ax, q.l - pad), q.r + pad);
          ly = Math.min(Math.max(ay, q.t - pad), q.b + pad);
        }
        d += 'M' + ax.toFixed(2) + ',' + ay.toFixed(2) + 'L' + lx.toFixed(2) + ',' + ly.toFixed(2);
      });
      /* plotly draws a path per segment: all of them in the first, the others emptied */
      path.setAttribute('d', d || 'M0,0');
      paths.slice(1).forEach(function (q) { q.setAttribute('d', 'M0,0'); });
    });
  };

  /* the hotspot board on the map (新发热点) on a known splice: a row a horizontal bezel runs
   * through is left out with those under it, counted in 另有N处 (the board's own line) */
  gw.hotBoard = function () {
    var board = document.getElementById('hot-board');
    if (!board) { return; }
    var rows = [].slice.call(board.querySelectorAll('.gw-hot-row'));
    rows.forEach(function (r) { r.style.display = ''; });
    var added = board.querySelector('.gw-hot-bz');
    if (added) { added.remove(); }
    var more = board.querySelector('.gw-hot-more:not(.gw-hot-short)');
    if (more && more.dataset.text) { more.textContent = more.dataset.text; }
    var b = gw.bezels, ys = b ? b.screenY : [];
    /* ... and, on any screen, a row that would run into the map's legend below it (a legend
     * of five classes, 0 and the hotspot key is a row taller than the board's share) */
    var gd = document.querySelector('#map-graph .js-plotly-plot');
    var leg = gd && gd.querySelector('.legend'), lr = leg && leg.getBoundingClientRect();
    var br = board.getBoundingClientRect();
    var cs = getComputedStyle(board), k = (gw.scale && gw.scale[1]) || 1;
    var foot = (parseFloat(cs.paddingBottom) + parseFloat(cs.borderBottomWidth) + 4) * k;
    var floor = lr && lr.height && lr.left < br.right && lr.right > br.left && lr.top > br.top
      ? lr.top - foot : Infinity;             /* the board's own foot clear of the legend too */
    if ((!ys.length && floor === Infinity) || !rows.length) { return; }
    function across(el) {
      var r = el.getBoundingClientRect();
      return r.height > 0 && (r.bottom > floor ||
                              ys.some(function (y) { return r.top < y && y < r.bottom; }));
    }
    var shown = rows.length;
    for (var i = 0; i < rows.length; i++) {
      if (across(rows[i])) { shown = i; break; }
    }
    if (shown === rows.length && !(more && across(more))) { return; }
    var total = parseInt((board.querySelector('.gw-hot-count') || {}).textContent, 10) || rows.length;
    if (!more) {
      more = document.createElement('div');
      more.className = 'gw-hot-more gw-hot-bz';
      rows[rows.length - 1].after(more);
    } else if (!more.dataset.text) { more.dataset.text = more.textContent; }
    for (; shown >= 0; shown--) {
      rows.forEach(function (r, k) { r.style.display = k < shown ? '' : 'none'; });
      more.textContent = '另有' + (total - shown) + '处（见地图）';
      if (!across(more) && !(shown && across(rows[shown - 1]))) { break; }
    }
  };

  /* --- clock ------------------------------------------------------------------------------ */
  var WEEK = ['日', '一', '二', '三', '四', '五', '六'];
  gw.clockText = function (date, tz) {
    var parts = {};
    try {
      new Intl.DateTimeFormat('en-GB', {
        timeZone: tz || 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short', hourCycle: 'h23'
      }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      return date.toLocaleString();
    }
    var wd = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }[parts.weekday];
    return parts.year + '-' + parts.month + '-' + parts.day + ' 星期' + WEEK[wd] + ' ' +
      parts.hour + ':' + parts.minute + ':' + parts.second;
  };
  function tick() {
    var el = document.getElementById('gw-clock');
    var c = canvas();
    if (el && c) { el.textContent = gw.clockText(new Date(), c.dataset.tz); }
    /* the map's redraw hooks (names off bezels, the board off the legend, 3x3's fit) on the
     * graph once it exists: on one screen nothing else called gw.mapLabels to set them */
    var gd = document.querySelector('#map-graph .js-plotly-plot');
    if (gd && gd.on && !gd.__gwLabels && gd._fullLayout) { gw.mapLabels(); gw.hotBoard(); }
  }

  /* --- count-up (数字翻牌) ---------------------------------------------------------------- */
  function fmt(v, dec) {
    return v.toLocaleString('en-US', { minimumFractionDigits: dec, maximumFractionDigits: dec });
  }
  gw.countUp = function (el, target, dec, ms) {
    if (target === null || target === undefined || isNaN(target)) {
      el.textContent = '—'; el.dataset.value = ''; return;
    }
    var from = parseFloat(el.dataset.value);
    el.dataset.value = String(target);         /* the final value, readable at once (tests) */
    if (isNaN(from) || from === target || document.hidden) { el.textContent = fmt(target, dec); return; }
    var t0 = performance.now(), dur = ms || 1200;
    var anim = el._gwAnim = {};
    function step(now) {
      if (el._gwAnim !== anim) { return; }      /* a newer value took over */
      var k = Math.min(1, (now - t0) / dur), e = 1 - Math.pow(1 - k, 3);
      el.textContent = fmt(from + (target - from) * e, dec);
      if (k < 1) { requestAnimationFrame(step); }
    }
    requestAnimationFrame(step);
  };

  /* --- station boards (轮播) --------------------------------------------------------------- */
  gw.boardStep = function (el) {
    if (el.matches(':hover')) { return; }
    var row = el.firstElementChild;
    if (!row || el.scrollHeight <= el.clientHeight + 2) { if (el.scrollTop) { el.scrollTop = 0; } return; }
    if (el.scrollTop < 1) {                    /* let the first page be read before moving */
      var top = +(el.dataset.top || 0) + 1;
      el.dataset.top = top;
      if (top < 3) { return; }
    }
    el.dataset.top = 0;
    var rh = row.getBoundingClientRect().height / ((gw.scale && gw.scale[1]) || 1);
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) {
      var dwell = +(el.dataset.dwell || 0) + 1;  /* linger at the end, then back to the top */
      el.dataset.dwell = dwell;
      if (dwell >= 2) { el.dataset.dwell = 0; el.scrollTo({ top: 0, behavior: 'smooth' }); }
      return;
    }
    el.scrollTo({ top: Math.round(el.scrollTop / rh + 1) * rh, behavior: 'smooth' });
  };
  /* a board shows whole rows only: its height is cut to a multiple of its row height, so
     its last row is never half drawn (read from 5 m, a half row is noise). The room a layout
     gives is measured once without the cut, again when the layout or the row height changes */
  gw.fitBoard = function (el) {
    if (el.dataset.pin === 'worst') { gw.fitRank(el); return; }
    var row = el.firstElementChild;
    var rh = row && row.offsetHeight;
    if (!rh) { return; }
    var key = ((canvas() || {}).className || '') + '|' + rh;
    if (el.dataset.fit !== key) {
      el.style.maxHeight = '';
      el.dataset.fit = key;
      el.dataset.room = el.clientHeight;
    }
    var h = Math.max(1, Math.floor((+el.dataset.room + 1) / rh)) * rh + 'px';
    if (el.style.maxHeight !== h) { el.style.maxHeight = h; }
  };
  /* the township ranking (best first) never scrolls: its worst rows were the ones a leader
     waited for. Its rows close up (down to RANK_MIN px a row, the text its size) until every
     township fits; where not even that is enough (a city of 40), the rows worst first
     (data-worst: red, yellow, then the lowest rate) fill the room but one, kept in rank
     order, and the last says how many are left out and whether any of them is carded */
  var RANK_MIN = 24;
  /* every second row shown is striped: nth-child(even) counted the rows left out too, so two
     shown rows either side of a left-out one wore the same ground */
  function stripeShown(rows) {
    var k = 0;
    rows.forEach(function (r) {
      r.classList.toggle('gw-stripe', r.style.display !== 'none' && k++ % 2 === 1);
    });
  }
  gw.fitRank = function (el) {
    var rows = [].slice.call(el.querySelectorAll('.gw-row[data-worst]'));
    try { fitRankRows(el, rows); } finally { stripeShown(rows); }
  };
  function fitRankRows(el, rows) {
    var more = el.querySelector('.gw-rank-more');
    el.style.maxHeight = '';
    el.style.removeProperty('--gw-rank-h');
    rows.forEach(function (r) { r.style.display = ''; });
    if (more) { more.classList.remove('gw-on'); }
    var room = el.clientHeight, n = rows.length;
    var pitch = rows.length && rows[0].offsetHeight;
    if (!pitch || !room || n * pitch <= room) { return; }
    var border = pitch - rows[0].clientHeight;
    if (n * RANK_MIN <= room) {
      el.style.setProperty('--gw-rank-h', (Math.floor(room / n) - border) + 'px');
      return;
    }
    el.style.setProperty('--gw-rank-h', (RANK_MIN - border) + 'px');
    var keep = Math.max(1, Math.floor(room / RANK_MIN) - 1), red = 0, yellow = 0;
    rows.forEach(function (r) {
      if (+r.dataset.worst < keep) { return; }
      r.style.display = 'none';
      var card = (r.querySelector('[data-card]') || { dataset: {} }).dataset.card;
      red += card === 'red' ? 1 : 0;
      yellow += card === 'yellow' ? 1 : 0;
    });
    if (!more) { return; }
    var carded = [red ? '红牌' + red + '个' : '', yellow ? '黄牌' + yellow + '个' : '']
      .filter(Boolean).join('、');
    more.textContent = '另有' + (n - keep) + '个镇街' + (carded ? '，其中' + carded : '，无红黄牌');
    more.classList.add('gw-on');
  }
  /* the event card fits its room (one row of panels on a spliced wall): fields are taken from
     the end (the reporter, the cameras nearby, ...) rather than cut mid-line at its foot */
  gw.fitEventCard = function () {
    var box = document.querySelector('#event-card .gw-ec-fields');
    if (!box || !box.offsetHeight) { return; }
    var fields = [].slice.call(box.children);
    fields.forEach(function (f) { f.style.display = ''; });
    while (box.scrollHeight > box.clientHeight + 1 && fields.length > 1) {
      fields.pop().style.display = 'none';
    }
  };

  /* the grid card fits its panel: when it would overflow (a hotspot line, many cameras),
     rows are taken from the end of the longer of its two lists (recent events first on a
     tie, at least one row each) rather than cutting the card mid-row at the panel's foot */
  gw.fitCard = function () {
    var body = document.getElementById('grid-card-body');
    if (!body || !body.offsetHeight) { return; }
    var lists = [].slice.call(body.querySelectorAll('.gw-gc-list'));
    var shown = lists.map(function (l) {
      var rows = [].slice.call(l.children);
      rows.forEach(function (r) { r.style.display = ''; });
      return rows;
    });
    while (body.scrollHeight > body.clientHeight + 1) {
      var pick = -1;
      for (var i = 0; i < shown.length; i++) {
        if (shown[i].length > 1 && (pick < 0 || shown[i].length > shown[pick].length)) { pick = i; }
      }
      if (pick < 0) { break; }
      shown[pick].pop().style.display = 'none';
    }
  };
  function fitBoards() {
    var list = document.querySelectorAll('.gw-board');
    for (var i = 0; i < list.length; i++) { gw.fitBoard(list[i]); }
  }
  function boards() {
    var list = document.querySelectorAll('.gw-board');
    for (var i = 0; i < list.length; i++) { gw.fitBoard(list[i]); gw.boardStep(list[i]); }
    gw.fitCard();
    if (gw.bezels) { gw.seamTitle(); gw.mapLabels(); }   /* new text, off the bezels too */
    gw.hotBoard();                                         /* and the board off the legend */
  }

  /* --- keys -------------------------------------------------------------------------------- */
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' || ev.key === 'Esc') {
      var pop = document.getElementById('win-pop');
      if (pop && !pop.classList.contains('gw-hidden')) { pop.classList.add('gw-hidden'); return; }
      var card = document.getElementById('event-card');
      if (card && !card.classList.contains('gw-hidden')) {
        var close = document.getElementById('event-card-close');
        if (close) { close.click(); }
        return;
      }
      var b = document.getElementById('drill-esc');
      if (b) { b.click(); }
    }
  });

  /* the custom window's popover opens from its chip (no server round trip) */
  document.addEventListener('click', function (ev) {
    var chip = ev.target.closest && ev.target.closest('#win-custom');
    if (chip) {
      var pop = document.getElementById('win-pop');
      if (pop) { pop.classList.toggle('gw-hidden'); }
    }
  });

  /* --- recovery ---------------------------------------------------------------------------- */
  var origFetch = window.fetch.bind(window);
  gw.lastOk = Date.now();
  gw.down = false;
  function healthy() {
    /* 401: the server is back but the session ended: reloading lands on /login */
    return origFetch('/api/health', { cache: 'no-store' }).then(
      function (r) { return r.ok || r.status === 401; }, function () { return false; });
  }
  function poll() {
    healthy().then(function (ok) {
      if (ok) { window.location.reload(); } else { setTimeout(poll, 5000); }
    });
  }
  gw.markDown = function () {
    if (gw.down) { return; }
    gw.down = true;
    document.body.classList.add('gw-offline');   /* keep the last data on screen meanwhile */
    setTimeout(poll, 3000);
  };
  function isDash(input) {
    var url = typeof input === 'string' ? input : (input && input.url) || '';
    return url.indexOf('_dash-') >= 0;
  }
  window.fetch = function (input, init) {
    var dash = isDash(input);
    return origFetch(input, init).then(function (resp) {
      if (dash) {
        if (resp.status >= 500) { gw.markDown(); } else { gw.lastOk = Date.now(); }
      }
      return resp;
    }, function (err) {
      if (dash) { gw.markDown(); }
      throw err;
    });
  };
  function watchdog() {
    /* refresh ticks answer every refresh_s: a long silence means a stuck page */
    var c = canvas();
    var limit = Math.max(180, 3 * (+(c && c.dataset.refresh) || 60)) * 1000;
    if (!gw.down && Date.now() - gw.lastOk > limit) { gw.markDown(); }
  }

  /* a new red warning (class gw-flash, set by the server) is shown at the top of its board;
     a board whose rows change is fitted to whole rows again */
  function watchFlash(root) {
    if (!window.MutationObserver) { return; }
    new MutationObserver(function (records) {
      var fit = false, card = false, hot = false;
      for (var i = 0; i < records.length; i++) {
        var nodes = records[i].addedNodes;
        for (var j = 0; j < nodes.length; j++) {
          var n = nodes[j];
          if (n.nodeType !== 1) { continue; }
          fit = fit || !!(n.closest('.gw-board') || n.querySelector('.gw-board'));
          card = card || !!n.closest('#grid-card');
          hot = hot || (!n.classList.contains('gw-hot-bz') && !!n.closest('#hot-board'));
          var hit = n.classList.contains('gw-flash') ? n : n.querySelector('.gw-flash');
          var board = hit && hit.closest('.gw-board');
          if (board) { board.scrollTop = 0; board.dataset.dwell = 0; board.dataset.top = 0; }
        }
      }
      if (fit) { fitBoards(); }
      if (card) { gw.fitCard(); }
      if (hot) { gw.hotBoard(); }
    }).observe(root, { childList: true, subtree: true });
  }

  /* --- start ------------------------------------------------------------------------------- */
  function start() {
    if (!gw.fit()) { requestAnimationFrame(start); return; }
    gw.started = true;
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(gw.seamTitle); }
    watchFlash(canvas());
    var ec = document.getElementById('event-card');
    if (ec && window.MutationObserver) {      /* opened (class) or filled (children) */
      new MutationObserver(function () { gw.fitEventCard(); })
        .observe(ec, { attributes: true, attributeFilter: ['class'], childList: true, subtree: true });
    }
    tick();
    setInterval(tick, 1000);
    setInterval(boards, 3000);
    setInterval(watchdog, 15000);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else { start(); }

  /* --- Dash clientside callbacks ------------------------------------------------------------ */
  function params(search) {
    var out = {};
    (search || '').replace(/^\?/, '').split('&').forEach(function (kv) {
      if (!kv) { return; }
      var i = kv.indexOf('=');
      var k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
      out[k] = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' '));
    });
    return out;
  }
  /* The search string for a drill target; ``win`` (optional) replaces the window:
   * {window: key} or {start: 'YYYY-MM-DD', end: 'YYYY-MM-DD'}; other parameters are kept. */
  gw.searchFor = function (search, township, grid, win) {
    var p = params(search);
    delete p.township; delete p.grid;
    if (win) {
      delete p.window; delete p.start; delete p.end;
      if (win.window) { p.window = win.window; }
      if (win.start && win.end) { p.start = win.start; p.end = win.end; }
    }
    var parts = [];
    if (township) { parts.push('township=' + encodeURIComponent(township)); }
    if (grid) { parts.push('grid=' + encodeURIComponent(grid)); }
    Object.keys(p).sort().forEach(function (k) {
      parts.push(encodeURIComponent(k) + (p[k] === '' ? '' : '=' + encodeURIComponent(p[k])));
    });
    return parts.length ? '?' + parts.join('&') : '';
  };
  /* 'YYYY-MM-DD' + n days (UTC arithmetic: no time zone or DST can shift the day) */
  gw.addDays = function (iso, n) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    if (!m) { return null; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n));
    return d.toISOString().slice(0, 10);
  };
  /* The custom range of the two date inputs (last day inclusive) as a URL window, or null. */
  gw.customWindow = function (first, last) {
    var end = gw.addDays(last, 1);
    if (!gw.addDays(first, 0) || !end || first >= end) { return null; }
    return { start: first, end: end };
  };
  /* Where a click, Esc or the tour leads: {township, grid} (null = county). */
  gw.target = function (trigger, value, drill, tour, range) {
    drill = drill || {};
    var t = drill.township || null, g = drill.grid || null;
    if (trigger === 'map-graph.clickData') {
      var pt = value && value.points && value.points[0];
      var cd = pt && pt.customdata;
      /* a click on a unit's fill (layers/click_fills.py) has no point: dcc.Graph passes the
       * trace's whole customdata, [[kind, code]], or nothing; read the trace then */
      if (cd && Array.isArray(cd[0])) { cd = cd[0]; }
      if (pt && !cd) {
        var gd = document.querySelector('#map-graph .js-plotly-plot');
        var tr = gd && gd.data && gd.data[pt.curveNumber];
        cd = tr && tr.hoveron === 'fills' && tr.customdata && tr.customdata[0];
      }
      if (!cd || cd.length < 2) { return null; }
      if (cd[0] === 'township') { return { township: cd[1], grid: null }; }
      if (cd[0] === 'grid') { return { township: t, grid: cd[1] }; }
      return null;
    }
    if (trigger.indexOf('gw-rank-row') >= 0) {
      if (!value) { return null; }               /* a row just drawn, not clicked */
      var id = JSON.parse(trigger.slice(0, trigger.lastIndexOf('.')));
      return id.kind === 'grid' ? { township: t, grid: id.code } : { township: id.code, grid: null };
    }
    if (trigger.indexOf('gw-hot-row') >= 0) {
      if (!value) { return null; }
      var hid = JSON.parse(trigger.slice(0, trigger.lastIndexOf('.')));
      return { township: hid.township || t, grid: hid.code };
    }
    if (trigger.indexOf('"gw-win"') >= 0) {
      if (!value) { return null; }
      var wid = JSON.parse(trigger.slice(0, trigger.lastIndexOf('.')));
      return { township: t, grid: g, win: { window: wid.key } };
    }
    if (trigger === 'win-apply.n_clicks') {
      if (!value) { return null; }
      range = range || [];
      var cw = gw.customWindow((range[0] || '').slice(0, 10), (range[1] || '').slice(0, 10));
      var pop = document.getElementById('win-pop');
      if (pop) { pop.classList.add('gw-hidden'); }
      return cw ? { township: t, grid: g, win: cw } : null;
    }
    if (!value) { return null; }
    if (trigger === 'bc-county.n_clicks') { return { township: null, grid: null }; }
    if (trigger === 'bc-township.n_clicks') { return { township: t, grid: null }; }
    if (trigger === 'drill-esc.n_clicks' || trigger === 'grid-card-close.n_clicks') {
      return g ? { township: t, grid: null } : { township: null, grid: null };
    }
    if (trigger === 'tour-interval.n_intervals') {
      var codes = (tour && tour.codes) || [];
      var stops = [null].concat(codes);
      var i = stops.indexOf(t);
      return { township: stops[(i + 1) % stops.length], grid: null };
    }
    return null;
  };

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.gridwall = {
    navigate: function () {
      var nu = window.dash_clientside.no_update;
      var ctx = window.dash_clientside.callback_context;
      var n = arguments.length;
      var search = arguments[n - 5], drill = arguments[n - 4], tour = arguments[n - 3];
      var range = [arguments[n - 2], arguments[n - 1]];
      /* several inputs can fire together (a click while a refresh redraws the ranking or
       * the hotspot board, whose new rows also "trigger"): the first real click wins */
      var trigs = ctx.triggered || [], target = null, clear = nu;
      for (var i = 0; i < trigs.length && !target; i++) {
        if (trigs[i].prop_id === 'map-graph.clickData') { clear = null; }
        target = gw.target(trigs[i].prop_id, trigs[i].value, drill, tour, range);
      }
      if (!target) { return [nu, clear]; }
      var next = gw.searchFor(search, target.township, target.grid, target.win);
      return [next === (search || '') ? nu : next, clear];
    },
    /* the event card opens on a row click (its event id) and closes on × */
    openEvent: function () {
      var nu = window.dash_clientside.no_update;
      var trigs = window.dash_clientside.callback_context.triggered || [];
      for (var i = 0; i < trigs.length; i++) {
        var trig = trigs[i];
        if (!trig.value) { continue; }          /* rows just drawn, not clicked */
        if (trig.prop_id === 'event-card-close.n_clicks') { return null; }
        return JSON.parse(trig.prop_id.slice(0, trig.prop_id.lastIndexOf('.'))).id;
      }
      return nu;
    },
    kpis: function (data) {
      if (!data) { return window.dash_clientside.no_update; }
      Object.keys(data).forEach(function (key) {
        var el = document.getElementById('kpi-' + key + '-value');
        if (el) { gw.countUp(el, data[key].value, data[key].dec || 0); }
        var box = document.getElementById('kpi-' + key);
        if (box) {
          box.classList.remove('gw-kpi-red', 'gw-kpi-yellow', 'gw-kpi-green', 'gw-kpi-none');
          if (data[key].tone) { box.classList.add('gw-kpi-' + data[key].tone); }
        }
      });
      return Date.now();
    }
  };
})();
