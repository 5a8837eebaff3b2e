// A long form (an import, the assignment of an item to thousands of communes, a transfer of a
// whole agency's work) says it is working while the server does it, and is not sent twice:
//   <form data-busy="Đang xử lý…">  on submit, its submit buttons read the attribute's text and
//   refuse a second click. Without script the form is an ordinary form.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches || !form.matches("form[data-busy]") || event.defaultPrevented) {
    return;
  }
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault(); // already sent: wait for the answer
    return;
  }
  form.setAttribute("aria-busy", "true");
  // Not ``disabled``: a disabled button's name and value would not be sent.
  form.querySelectorAll("button[type=submit], button:not([type])").forEach((button) => {
    button.dataset.label = button.textContent;
    button.textContent = form.dataset.busy;
    button.setAttribute("aria-disabled", "true");
    button.classList.add("busy");
  });
});

// Back to a page from the history's cache: the form is ready again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) {
    return;
  }
  document.querySelectorAll("form[data-busy][aria-busy=true]").forEach((form) => {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button.busy").forEach((button) => {
      button.textContent = button.dataset.label;
      button.removeAttribute("aria-disabled");
      button.classList.remove("busy");
    });
  });
});
