/* The analysis page's clientside glue (研判): hands the URL's filters to the 3D frame and
   turns a hotspot clicked in the frame into the grid filter. */
(function () {
  "use strict";
  var FILTERS = ["window", "start", "end", "as_of", "township", "grid", "category", "channel",
                 "department", "status", "warning"];

  function filterQuery(search) {
    var p = new URLSearchParams(search || "");
    var out = new URLSearchParams();
    FILTERS.forEach(function (k) { if (p.get(k)) { out.set(k, p.get(k)); } });
    return out.toString();
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.gridwallAnalysis = {
    /* Post the query to the frame (it keeps its view); a frame still booting reads
       window.__gwDeckQuery instead. */
    deckQuery: function (search) {
      var q = filterQuery(search);
      window.__gwDeckQuery = q;
      var frame = document.getElementById("an-deck-frame");
      if (frame && frame.contentWindow) {
        frame.contentWindow.postMessage({type: "gw-deck", query: q}, window.location.origin);
      }
      return q;
    }
  };

  window.addEventListener("message", function (ev) {
    if (ev.origin !== window.location.origin || !ev.data || ev.data.type !== "gw-deck-grid") {
      return;
    }
    if (window.dash_clientside.set_props) {
      window.dash_clientside.set_props("an-deck-pick", {data: {grid: ev.data.grid, t: Date.now()}});
    }
  });
})();
