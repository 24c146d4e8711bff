// The build page follows its build without reloading: while the build runs, the part of the page
// that shows it is fetched again every two seconds and put in place (announced politely to screen
// readers). Without JavaScript the page has a link that shows the latest progress.
(function () {
  "use strict";
  var region = document.getElementById("build-status");
  if (!region || region.getAttribute("data-running") !== "1") {
    return;
  }
  function poll() {
    fetch(window.location.pathname, {credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("build-status");
        if (!fresh) {
          return;
        }
        region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes).map(function (node) {
          return document.importNode(node, true);
        }));
        region.setAttribute("data-running", fresh.getAttribute("data-running"));
        if (fresh.getAttribute("data-running") === "1") {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
