// The product page's gallery (templates/storefront/_gallery.html) works without this script:
// each thumbnail is a link to its picture in the strip. With it, a thumbnail scrolls only the
// strip, not the whole page to the strip's top, and the thumbnail of the picture in view is
// marked (aria-current), also when the strip is swiped.
(function () {
  "use strict";
  document.querySelectorAll(".gallery").forEach(function (gallery) {
    var strip = gallery.querySelector(".gallery-slides");
    var links = Array.prototype.slice.call(gallery.querySelectorAll(".gallery-thumbs a"));
    if (!strip || links.length === 0) {
      return;
    }
    function markPictureInView() {
      var shown = Math.round(strip.scrollLeft / Math.max(1, strip.clientWidth));
      links.forEach(function (link, index) {
        if (index === shown) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        // Smooth or not as the stylesheet says (prefers-reduced-motion).
        strip.scrollTo({ left: index * strip.clientWidth });
      });
    });
    strip.addEventListener("scroll", function () {
      window.requestAnimationFrame(markPictureInView);
    }, { passive: true });
    markPictureInView();
  });
})();
