// Small progressive enhancements. Everything works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.requestSubmit();
  }
});

// The menu folds behind a button on narrow screens (CSS under .js); the button says whether it is open.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const nav = toggle ? toggle.closest(".main-nav") : null;
  if (!toggle || !nav) return;
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

