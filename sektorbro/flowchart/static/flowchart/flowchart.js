// Flowchart: open a step's explanation in a side panel (HTMX), close it with Escape or the close button and
// give focus back to the step. Without JavaScript every step is an ordinary link to its own page.
(() => {
  "use strict";

  const panel = document.getElementById("fc-panel");
  if (!panel) {
    return;
  }
  let opener = null;

  const setExpanded = (link, expanded) => {
    if (link) {
      link.setAttribute("aria-expanded", expanded ? "true" : "false");
    }
  };

  const close = () => {
    if (panel.hidden) {
      return;
    }
    panel.hidden = true;
    panel.replaceChildren();
    document.body.classList.remove("fc-panel-open");
    setExpanded(opener, false);
    if (opener && document.contains(opener)) {
      opener.focus();
    }
  };

  document.querySelectorAll("a[data-step-link]").forEach((link) => setExpanded(link, false));

  // Remember which step opened the panel (mouse and keyboard both end in a click on the link).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-step-link]");
    if (link) {
      if (opener && opener !== link) {
        setExpanded(opener, false);
      }
      opener = link;
      return;
    }
    // A click on a lane box opens the step of its row, like the step link itself.
    const box = event.target.closest(".fc-chart .fc-box");
    if (box) {
      const rowLink = box.closest("tr")?.querySelector("a[data-step-link]");
      rowLink?.click();
      return;
    }
    if (event.target.closest("[data-panel-close]")) {
      close();
    }
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== panel) {
      return;
    }
    panel.hidden = false;
    document.body.classList.add("fc-panel-open");
    setExpanded(opener, true);
    const heading = panel.querySelector("[data-panel-heading]");
    (heading || panel).focus();
  });

  // If the partial cannot be fetched, fall back to the step's own page.
  document.body.addEventListener("htmx:responseError", (event) => {
    const link = event.detail.elt;
    if (link instanceof HTMLAnchorElement && link.dataset.stepLink !== undefined) {
      window.location.assign(link.href);
    }
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    const link = event.detail.elt;
    if (link instanceof HTMLAnchorElement && link.dataset.stepLink !== undefined) {
      window.location.assign(link.href);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });
})();
