// The step-through page: walks the steps written into the page (#steps) over the SVG graph.
// No framework, no network: the graph, the steps and this script are all in the one file.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps").textContent);
  var steps = data.steps, values = data.values;
  var svg = document.querySelector("#graph svg");
  var status = document.getElementById("status");
  var counter = document.getElementById("counter");
  var playButton = document.getElementById("play");
  var nodes = {};  // Graphviz node name -> its <g class="node">
  svg.querySelectorAll("g.node").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) nodes[title.textContent] = g;
  });
  // when each Value appears (forward) and when its gradient is final (backward)
  var appear = values.map(function (v) { return v.leaf ? 0 : Infinity; });
  var final = values.map(function () { return Infinity; });
  steps.forEach(function (s, k) {
    if (s.phase === "forward") appear[s.node] = k;
    s.final.forEach(function (i) { final[i] = Math.min(final[i], k); });
  });
  // each drawn node and the Values it shows (a collapsed module call shows many)
  var shows = {};
  values.forEach(function (v, i) {
    v.nodes.concat(v.op ? [v.op] : []).forEach(function (name) {
      (shows[name] = shows[name] || []).push(i);
    });
  });
  var gradCells = values.map(function (v) {
    return v.grad.map(function (id) { return document.getElementById("a_" + id); })
      .filter(function (el) { return el; });
  });
  var current = -1, timer = null, marked = [];

  function setClass(el, name, on) { if (el) el.classList.toggle(name, on); }

  function mark(names, cls) {
    names.forEach(function (n) {
      var el = nodes[n];
      if (el) { el.classList.add(cls); marked.push([el, cls]); }
    });
  }

  function nodesOf(i, withOp) {
    var v = values[i];
    return v.nodes.concat(withOp && v.op ? [v.op] : []);
  }

  function show(k) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    current = k;
    var step = steps[k];
    Object.keys(shows).forEach(function (name) {
      var seen = shows[name].some(function (i) { return appear[i] <= k; });
      setClass(nodes[name], "pending", !seen);
    });
    gradCells.forEach(function (cells, i) {
      cells.forEach(function (el) { setClass(el, "grad-pending", final[i] > k); });
    });
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
    if (step.node !== null) {
      step.inputs.forEach(function (i) { mark(nodesOf(i, false), "step-input"); });
      mark(nodesOf(step.node, false), "step-value");
      if (values[step.node].op) mark([values[step.node].op], "step-op");
      var focus = nodes[values[step.node].op || values[step.node].nodes[0]];
      if (focus && focus.scrollIntoView) focus.scrollIntoView({block: "nearest", inline: "nearest"});
    }
    status.textContent = "";
    step.lines.forEach(function (line, n) {
      var p = document.createElement("p");
      p.textContent = line;
      if (n === 0) p.className = "headline";
      status.appendChild(p);
    });
    var phase = step.phase === "backward" ? "backward pass" : "forward pass";
    counter.textContent = "Step " + (k + 1) + " of " + steps.length + " \u00b7 " + phase;
    document.body.dataset.step = String(k);
    document.body.dataset.phase = step.phase;
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "Play";
  }

  function play() {
    if (timer !== null) { stop(); return; }
    if (current >= steps.length - 1) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(function () {
      if (current >= steps.length - 1) { stop(); return; }
      show(current + 1);
    }, data.interval);
  }

  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  document.getElementById("prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("reset").addEventListener("click", function () { stop(); show(0); });
  playButton.addEventListener("click", play);
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { stop(); show(current + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { stop(); show(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(0); e.preventDefault(); }
    else if (e.key === "End") { stop(); show(steps.length - 1); e.preventDefault(); }
  });
  svg.addEventListener("click", function (e) {  // the gradient cells are links to themselves
    if (e.target.closest && e.target.closest("a")) e.preventDefault();
  });
  show(0);
})();
