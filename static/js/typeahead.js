/* Đôn đốc: a select with type-ahead, written for this project (no dependency, no build step).
 *
 * Progressive enhancement of <select data-typeahead> (single or multiple): the select stays in
 * the form, visually hidden, and keeps the value that is submitted; without JavaScript it is the
 * plain select. A text box filters the options as one types, folding case and Vietnamese
 * diacritics ("so tai chinh" finds "Sở Tài chính", "ubnd" finds "Ủy ban nhân dân"), and keeps
 * the <optgroup>s as headings.
 * Keyboard: ↓/↑ move, Enter picks, Escape closes, Home/End jump; in a multiple select the
 * choices show as buttons that remove them, and Backspace in the empty box removes the last. Texts come from data attributes the
 * server translated: data-typeahead-placeholder, -empty, -remove, -found ("{n}").
 *
 * With data-typeahead-url the page holds only the blank choice and what is chosen: as one
 * types, the choices are asked of that address (GET ?q=…, JSON {"results": [{"value",
 * "label", "group"}], "more"}) and shown under their groups; the one picked becomes an option
 * of the select, so the form submits it as any other.
 */
(function () {
  "use strict";

  var counter = 0;

  // The abbreviations every office writes: "ubnd dong ha" finds "Ủy ban nhân dân phường Đông Hà".
  var SHORT = [
    [/\buy ban nhan dan\b/g, "ubnd"],
    [/\bhoi dong nhan dan\b/g, "hdnd"],
    [/\bmat tran to quoc\b/g, "mttq"],
  ];

  // As core.text.fold: case, diacritics and đ folded, punctuation and spaces made one space.
  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase()
      .replace(/[\s\-–—_.,;:()"'/]+/g, " ")
      .trim();
  }

  // What a choice is found by: its folded name, and the name with its abbreviations (the query's
  // words are looked for each on its own, so "uy ban" and "ubnd" both find it).
  function searchKey(text) {
    var key = fold(text);
    var short = key;
    SHORT.forEach(function (pair) {
      short = short.replace(pair[0], pair[1]);
    });
    return short === key ? key : key + " / " + short;
  }

  function make(tag, className, attrs) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    Object.keys(attrs || {}).forEach(function (key) {
      el.setAttribute(key, attrs[key]);
    });
    return el;
  }

  function enhance(select) {
    if (select.dataset.typeaheadReady) return;
    select.dataset.typeaheadReady = "1";
    var n = ++counter;
    var multiple = select.multiple;
    var texts = {
      placeholder: select.dataset.typeaheadPlaceholder || "",
      empty: select.dataset.typeaheadEmpty || "—",
      remove: select.dataset.typeaheadRemove || "×",
      found: select.dataset.typeaheadFound || "{n}",
    };

    var box = make("span", "ta" + (multiple ? " ta-multiple" : ""));
    var chips = make("ul", "ta-chips");
    var input = make("input", "ta-input", {
      type: "text",
      role: "combobox",
      autocomplete: "off",
      spellcheck: "false",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": "ta-list-" + n,
      id: "ta-input-" + n,
    });
    if (texts.placeholder) input.placeholder = texts.placeholder;
    var list = make("ul", "ta-list", {
      role: "listbox",
      id: "ta-list-" + n,
      tabindex: "-1",
    });
    if (multiple) list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    var status = make("span", "sr-only", { "aria-live": "polite" });
    var nothing = make("li", "ta-nothing", { role: "presentation" });
    nothing.textContent = texts.empty;

    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      if (!label.id) label.id = "ta-label-" + n;
      input.setAttribute("aria-labelledby", label.id);
      list.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function (event) {
        event.preventDefault();
        input.focus();
      });
    }

    // One list item per <option>, under a heading per <optgroup>.
    var items = [];
    var groups = [];
    function addOption(option, parent) {
      var li = make("li", "ta-option", {
        role: "option",
        id: "ta-" + n + "-" + items.length,
        "aria-selected": "false",
      });
      li.textContent = option.text;
      var item = { option: option, li: li, key: searchKey(option.text) };
      li.addEventListener("click", function () {
        choose(item);
      });
      items.push(item);
      parent.appendChild(li);
      return item;
    }
    function addGroup(label, options, before) {
      var holder = make("li", "", { role: "none" });
      var heading = make("li", "ta-group", { role: "presentation", id: "ta-" + n + "-g" + groups.length });
      heading.textContent = label;
      var group = make("ul", "", { role: "group", "aria-labelledby": heading.id });
      group.appendChild(heading);
      var members = options.map(function (option) {
        return addOption(option, group);
      });
      holder.appendChild(group);
      list.insertBefore(holder, before || null);
      var entry = { holder: holder, members: members };
      groups.push(entry);
      return entry;
    }
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        addGroup(child.label, Array.prototype.slice.call(child.children));
      } else if (child.tagName === "OPTION") {
        addOption(child, list);
      }
    });
    list.appendChild(nothing);

    // The choices the server found for the last query (data-typeahead-url), shown after the
    // page's own; replaced by the next answer.
    var url = select.dataset.typeaheadUrl || "";
    var found = { items: [], groups: [] };
    var asked = 0;

    function forget() {
      found.groups.forEach(function (entry) {
        entry.holder.remove();
        groups.splice(groups.indexOf(entry), 1);
      });
      found.items.forEach(function (item) {
        item.li.remove();
        items.splice(items.indexOf(item), 1);
        if (!item.option.selected && item.option.dataset.found) item.option.remove();
      });
      found = { items: [], groups: [] };
    }

    function optionFor(result) {
      var value = String(result.value);
      var existing = Array.prototype.find.call(select.options, function (option) {
        return option.value === value;
      });
      if (existing) return existing;
      var option = document.createElement("option");
      option.value = value;
      option.textContent = result.label;
      option.dataset.found = "1";
      select.appendChild(option);
      return option;
    }

    function show(results, query) {
      forget();
      var shown = {};
      items.forEach(function (item) {
        shown[item.option.value] = true;
      });
      var byGroup = [];
      results.forEach(function (result) {
        if (shown[String(result.value)]) return;
        var last = byGroup[byGroup.length - 1];
        if (!last || last.label !== (result.group || "")) {
          last = { label: result.group || "", options: [] };
          byGroup.push(last);
        }
        last.options.push(optionFor(result));
      });
      byGroup.forEach(function (group) {
        var before = items.length;
        if (group.label) {
          var entry = addGroup(group.label, group.options, nothing);
          found.groups.push(entry);
          found.items = found.items.concat(entry.members);
        } else {
          group.options.forEach(function (option) {
            var item = addOption(option, list);
            list.insertBefore(item.li, nothing);
            found.items.push(item);
          });
        }
        items.slice(before).forEach(function (item) {
          item.found = true;
        });
      });
      filter(query);
    }

    function search(query) {
      if (!url) return;
      var mine = ++asked;
      if (!fold(query)) {
        forget();
        filter(query);
        return;
      }
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine === asked && input.value === query) show(data.results || [], query);
        })
        .catch(function () {});
    }
    var waiting = null;
    function searchSoon(query) {
      if (!url) return;
      clearTimeout(waiting);
      waiting = setTimeout(function () {
        search(query);
      }, 150);
    }

    select.classList.add("ta-native");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(box, select);
    if (multiple) box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(select);
    if (select.disabled) input.disabled = true;
    // The browser's own check of a required select points at the box the user sees.
    select.addEventListener("invalid", function () {
      input.focus();
    });

    var active = null;

    function visible() {
      return items.filter(function (item) {
        return !item.li.hidden;
      });
    }

    function setActive(item) {
      if (active) active.li.classList.remove("ta-active");
      active = item;
      if (item) {
        item.li.classList.add("ta-active");
        input.setAttribute("aria-activedescendant", item.li.id);
        item.li.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (!list.hidden || input.disabled) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      box.classList.add("ta-open");
      // On a phone the list may open below the fold: bring it up (the box stays in view, the
      // list being at most 60% of the screen tall).
      list.scrollIntoView({ block: "nearest" });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      box.classList.remove("ta-open");
      setActive(null);
      if (!multiple) showSelected();
    }

    function filter(query) {
      var words = fold(query).split(" ").filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var empty = item.option.value === "";
        // What the server found matches by its own rules (aliases too): shown as it came.
        var match =
          item.found ||
          words.every(function (word) {
            return item.key.indexOf(word) !== -1;
          });
        // The blank choice ("All", "Choose an agency") is offered only before one types.
        item.li.hidden = words.length ? !match || empty : false;
        if (!item.li.hidden && !empty) shown += 1;
      });
      groups.forEach(function (group) {
        group.holder.hidden = group.members.every(function (item) {
          return item.li.hidden;
        });
      });
      nothing.hidden = shown > 0;
      status.textContent = texts.found.replace("{n}", String(shown));
      var first = visible()[0] || null;
      setActive(words.length ? first : null);
    }

    // The choices of a multiple select in the order they were made (the chips' order).
    var picked = [];

    function refresh() {
      items.forEach(function (item) {
        item.li.setAttribute("aria-selected", item.option.selected ? "true" : "false");
      });
      if (multiple) {
        picked = picked.filter(function (item) {
          return item.option.selected;
        });
        items.forEach(function (item) {
          if (item.option.selected && item.option.value !== "" && picked.indexOf(item) === -1) {
            picked.push(item);
          }
        });
        chips.textContent = "";
        picked.forEach(function (item) {
          var chip = make("li");
          var button = make("button", "ta-chip", {
            type: "button",
            "aria-label": texts.remove + ": " + item.option.text,
          });
          button.textContent = item.option.text + " ×";
          button.addEventListener("click", function () {
            item.option.selected = false;
            changed();
            input.focus();
          });
          chip.appendChild(button);
          chips.appendChild(chip);
        });
      }
    }

    function showSelected() {
      var chosen = select.options[select.selectedIndex];
      input.value = chosen && chosen.value !== "" ? chosen.text : "";
    }

    function changed() {
      refresh();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(item) {
      if (multiple) {
        item.option.selected = !item.option.selected;
        input.value = "";
        filter("");
        changed();
        input.focus();
      } else {
        item.option.selected = true;
        changed();
        close();
        input.focus();
      }
    }

    function move(step) {
      open();
      var shown = visible();
      if (!shown.length) return;
      var at = shown.indexOf(active);
      var next = at === -1 ? (step > 0 ? 0 : shown.length - 1) : at + step;
      setActive(shown[Math.max(0, Math.min(shown.length - 1, next))]);
    }

    input.addEventListener("input", function () {
      open();
      filter(input.value);
      searchSoon(input.value);
    });
    input.addEventListener("focus", function () {
      if (!multiple) input.select();
    });
    input.addEventListener("click", function () {
      if (list.hidden) {
        open();
        filter(multiple ? input.value : "");
      }
    });
    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (list.hidden) filter(multiple ? input.value : "");
          move(1);
          break;
        case "ArrowUp":
          event.preventDefault();
          move(-1);
          break;
        case "Home":
        case "End":
          if (list.hidden) return;
          event.preventDefault();
          var shown = visible();
          setActive(event.key === "Home" ? shown[0] : shown[shown.length - 1]);
          break;
        case "Enter":
          // Enter picks the active choice; with the list closed it submits the form as usual.
          if (!list.hidden && active) {
            event.preventDefault();
            choose(active);
          } else if (!list.hidden) {
            event.preventDefault();
          }
          break;
        case "Escape":
          if (!list.hidden) {
            event.preventDefault();
            if (multiple) input.value = "";
            close();
          }
          break;
        case "Backspace":
          if (multiple && input.value === "" && picked.length) {
            picked[picked.length - 1].option.selected = false;
            changed();
          }
          break;
        case "Tab":
          close();
          break;
      }
    });
    // Keep the focus in the box while a choice is clicked or tapped.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    box.addEventListener("focusout", function (event) {
      if (!box.contains(event.relatedTarget)) close();
    });
    select.addEventListener("change", refresh);
    if (select.form) {
      select.form.addEventListener("reset", function () {
        setTimeout(function () {
          refresh();
          if (!multiple) showSelected();
        });
      });
    }

    filter("");
    refresh();
    if (!multiple) showSelected();
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-typeahead]"), enhance);
  }

  window.Typeahead = { enhance: enhance, enhanceAll: enhanceAll, fold: fold };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll();
    });
  } else {
    enhanceAll();
  }
})();
