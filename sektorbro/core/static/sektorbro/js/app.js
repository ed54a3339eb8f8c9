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


// Fields that belong to some event types (data-for-type, space-separated) are shown only while that type is chosen in the form.
function showFieldsForType(form) {
  const select = form.querySelector('select[name="type"]');
  if (!select) return;
  for (const input of form.querySelectorAll("[data-for-type]")) {
    const field = input.closest(".field");
    if (field) field.hidden = !input.dataset.forType.split(" ").includes(select.value);
  }
}
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form")) {
    if (form.querySelector("[data-for-type]")) showFieldsForType(form);
  }
});
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.name === "type" && target.form) {
    showFieldsForType(target.form);
  }
});

// A refused form comes back with its message at the top of the form's region (marked data-focus-on-load, also
// autofocus): move the keyboard focus and the view there, so the user does not look for it at the page's top.
document.addEventListener("DOMContentLoaded", () => {
  const refusal = document.querySelector("[data-focus-on-load]");
  if (refusal instanceof HTMLElement && document.activeElement !== refusal) {
    refusal.focus();
    refusal.scrollIntoView({ block: "start" });
  }
});
