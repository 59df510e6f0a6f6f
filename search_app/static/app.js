/* vnsearch: progressive enhancement only; every page works without this file.
 * 1. Autocomplete on the search box (ARIA 1.2 combobox + listbox), from /api/suggest.
 * 2. On a document page, scroll the first highlighted match into view.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;

  function autocomplete(input, list) {
    var form = input.form;
    var url = input.getAttribute("data-suggest-url");
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(text) {
      input.value = text;
      close();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function render(suggestions) {
      list.replaceChildren();
      items = suggestions;
      active = -1;
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (text, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = text;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); /* keep focus in the box */
          choose(text);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions(value) {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(value), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === value && document.activeElement === input) {
            render(data.suggestions || []);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            close();
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var value = input.value.trim();
      if (!value) {
        close();
        return;
      }
      timer = window.setTimeout(function () {
        fetchSuggestions(value);
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      if (controller) {
        controller.abort();
      }
    });
  }

  function scrollToFirstMatch() {
    var match = document.getElementById("first-match");
    if (match && !window.location.hash) {
      match.scrollIntoView({ block: "center" });
    }
  }

  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (input && list && window.fetch && window.AbortController) {
    autocomplete(input, list);
  }
  scrollToFirstMatch();
})();
