/* vnsearch: progressive enhancement only; every page works without this file.
 * 1. Results as you type (search page): the page's own HTML is fetched for the form's
 *    current state and its results region swapped in, so one template renders both
 *    ways; the URL follows (replaceState while typing, pushState for clicks).
 * 2. Facets, sort and chips apply at once, through the same path.
 * 3. Autocomplete (ARIA 1.2 combobox + listbox) from /api/suggest. On the search page
 *    it only opens when what was typed finds nothing or only partial matches (an
 *    unfinished word): otherwise the live results are the suggestions, and the arrow
 *    keys walk them.
 * 4. Keyboard: the box is focused on load, "/" focuses it, ↓/↑ or j/k walk results,
 *    Enter opens one. On a document page: next/previous match (buttons, n/p).
 */
(function () {
  "use strict";

  var SUGGEST_DEBOUNCE_MS = 120;
  var LIVE_DEBOUNCE_MS = 150;

  var NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"];

  /* Where keys are text being typed: a ticked checkbox or a button is not ("/" still
     goes to the search box from a facet). */
  function editable(element) {
    if (!element) {
      return false;
    }
    var tag = element.tagName;
    if (tag === "INPUT") {
      return NOT_TYPED.indexOf((element.type || "text").toLowerCase()) < 0;
    }
    return tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  /* ---- autocomplete ------------------------------------------------------------ */

  function autocomplete(input, list, gated) {
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

    function suggest(value) {
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
      if (gated) {
        close(); /* the live results decide (see live()) */
        return;
      }
      timer = window.setTimeout(function () {
        suggest(value);
      }, SUGGEST_DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        event.stopImmediatePropagation();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        event.stopImmediatePropagation();
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
      close();
    });

    return { suggest: suggest, close: close };
  }

  /* ---- results as you type ------------------------------------------------------- */

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      var isDefault = name === "sort" && value === "relevance";
      if (typeof value === "string" && value.trim() !== "" && !isDefault) {
        params.append(name, value.trim());
      }
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function live(form, input, suggestions) {
    var region = document.getElementById("live");
    var timer = null;
    var controller = null;
    var shown = window.location.pathname + window.location.search;

    /* What to give focus back to once the region is replaced (a ticked facet, the sort,
       a date box being typed in: its text and caret too). */
    function focusKey() {
      var active = document.activeElement;
      if (!active || !region.contains(active)) {
        return null;
      }
      var typing = active.tagName === "INPUT" && editable(active);
      var kept = typing ? { value: active.value, start: active.selectionStart,
                            end: active.selectionEnd } : null;
      if (active.id) {
        return { selector: "#" + CSS.escape(active.id), kept: kept };
      }
      if (active.name && !typing) {
        return { selector: "[name=\"" + CSS.escape(active.name) + "\"][value=\"" +
                 CSS.escape(active.value) + "\"]", kept: null };
      }
      return { selector: null, kept: null }; /* a link: focus goes to the results */
    }

    function refocus(key, fresh) {
      if (!key) {
        return;
      }
      var again = key.selector && fresh.querySelector(key.selector);
      if (!again) { /* a page link or a chip that is gone: the first result, or the list */
        again = fresh.querySelector(".results .result-title a") ||
                fresh.querySelector("[role=status]");
        if (again && !again.hasAttribute("tabindex") && again.tagName !== "A") {
          again.setAttribute("tabindex", "-1");
        }
      }
      if (!again) {
        return;
      }
      if (key.kept) { /* what was typed while the answer came back survives it */
        again.value = key.kept.value;
      }
      again.focus();
      if (key.kept && again.setSelectionRange) {
        again.setSelectionRange(key.kept.start, key.kept.end);
      }
    }

    function swap(html, url, how) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("live");
      if (!fresh) {
        return null;
      }
      var key = focusKey();
      var panel = region.querySelector(".facet-panel");
      var panelOpen = panel ? panel.open : null;
      region.replaceWith(fresh);
      region = fresh;
      var freshPanel = fresh.querySelector(".facet-panel");
      if (freshPanel && panelOpen !== null) {
        freshPanel.open = panelOpen; /* a phone user ticking facets keeps the panel open */
      } else {
        collapseFacets();
      }
      refocus(key, fresh);
      document.title = doc.title;
      var link = document.getElementById("json-link");
      var freshLink = doc.getElementById("json-link");
      if (link && freshLink) {
        link.href = freshLink.getAttribute("href");
      } else if (link !== freshLink) {
        var footer = document.querySelector(".site-footer p");
        var freshFooter = doc.querySelector(".site-footer p");
        if (footer && freshFooter) {
          footer.replaceWith(document.importNode(freshFooter, true));
        }
      }
      shown = url;
      exactField(url);
      if (how === "push") {
        window.history.pushState({ live: true }, "", url);
      } else if (how === "replace") {
        window.history.replaceState({ live: true }, "", url);
      }
      return fresh;
    }

    /* The form's hidden exact=1 follows the page shown ("Tìm chính xác" clicked, Back
       to an exact search or away from one), so a sort or a facet keeps it or not. */
    function exactField(url) {
      var exact = new URL(url, window.location.href).searchParams.get("exact");
      var field = form.querySelector("input[name=exact]");
      if (exact && exact !== "0" && !field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "exact";
        field.value = "1";
        form.appendChild(field);
      } else if ((!exact || exact === "0") && field) {
        field.remove();
      }
    }

    function load(url, how, after) {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      region.setAttribute("aria-busy", "true");
      var typed = input.value.trim();
      fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
        .catch(function (error) {
          if (error.name !== "AbortError") { /* the server is not there: say so, keep the page */
            region.removeAttribute("aria-busy");
            offline(url);
          }
          error.said = true;
          throw error;
        })
        .then(function (response) {
          return response.text().then(function (html) {
            return { ok: response.ok, html: html };
          });
        })
        .then(function (answer) {
          var fresh = swap(answer.html, url, how);
          if (!fresh) {
            window.location.assign(url); /* an error page: show it whole */
            return;
          }
          if (after) {
            after(fresh);
          }
          /* a corrected query (an unfinished word read as a typo) still wants suggestions */
          var partial = fresh.querySelector(".partial, .no-results, .corrected");
          if (typed && partial && document.activeElement === input &&
              input.value.trim() === typed) {
            suggestions.suggest(typed);
          }
        })
        .catch(function (error) {
          if (!error.said) { /* a bug of this script, not the connection: do not hide it */
            window.console.error(error);
          }
        });
    }

    function offline(url) {
      var note = document.getElementById("live-offline");
      if (!note) {
        note = document.createElement("p");
        note.id = "live-offline";
        note.className = "notes offline";
        note.setAttribute("role", "alert");
        region.insertBefore(note, region.firstChild);
      }
      note.textContent = "Không kết nối được với máy chủ. ";
      var retry = document.createElement("a");
      retry.href = url;
      retry.textContent = "Thử lại";
      note.appendChild(retry);
    }

    input.addEventListener("input", function () {
      var exact = form.querySelector("input[name=exact]");
      if (exact) { /* "Tìm chính xác" was for the query shown, not for a new one */
        exact.remove();
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var url = formUrl(form);
        if (url !== shown) {
          load(url, "replace");
        }
      }, LIVE_DEBOUNCE_MS);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      load(formUrl(form), "push");
    });

    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.form === form && target !== input) {
        window.clearTimeout(timer);
        load(formUrl(form), "push");
      }
    });

    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
          event.shiftKey || event.altKey) {
        return;
      }
      var link = event.target.closest("#live a[href]");
      if (!link || link.closest(".results")) {
        return;
      }
      var target = new URL(link.href, window.location.href);
      if (target.origin !== window.location.origin || target.pathname !== "/search") {
        return;
      }
      event.preventDefault();
      var q = target.searchParams.get("q");
      if (q !== null) {
        input.value = q;
      }
      var paging = link.closest(".pagination");
      load(target.pathname + target.search, "push", function () {
        if (paging) {
          window.scrollTo(0, 0);
        }
      });
    });

    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(window.location.search);
      input.value = params.get("q") || "";
      load(window.location.pathname + window.location.search, null);
    });
  }

  /* On a narrow screen the filters start folded, so the first result shows at once. */
  function collapseFacets() {
    var panel = document.querySelector(".facet-panel");
    if (panel && window.matchMedia("(max-width: 52rem)").matches) {
      panel.open = false;
    }
  }

  /* ---- keyboard --------------------------------------------------------------------- */

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll(".results .result-title a"));
  }

  function keyboard(input) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var active = document.activeElement;
      if (event.key === "/" && !editable(active)) {
        event.preventDefault();
        input.focus();
        input.select();
        return;
      }
      var links = resultLinks();
      var index = links.indexOf(active);
      var down = event.key === "ArrowDown" || (event.key === "j" && !editable(active));
      var up = event.key === "ArrowUp" || (event.key === "k" && !editable(active));
      if (!down && !up) {
        return;
      }
      var nowhere = !active || active === document.body;
      if ((active === input || (nowhere && !editable(active))) && down && links.length) {
        event.preventDefault();
        go(links, 0);
      } else if (index >= 0) {
        event.preventDefault();
        if (down && index + 1 < links.length) {
          go(links, index + 1);
        } else if (up && index === 0) {
          input.focus();
        } else if (up) {
          go(links, index - 1);
        }
      }
    });

    function go(links, i) {
      links.forEach(function (link, j) {
        link.closest(".result").classList.toggle("is-current", i === j);
      });
      links[i].focus();
      links[i].scrollIntoView({ block: "nearest" });
    }
  }

  /* ---- document page: matches ----------------------------------------------------- */

  function matches() {
    var marks = Array.prototype.slice.call(document.querySelectorAll(".doc-body mark"));
    var first = document.getElementById("first-match");
    if (!first) {
      return;
    }
    /* Scroll only when the first match is out of sight: a short document keeps its title. */
    if (!window.location.hash) {
      var rect = first.getBoundingClientRect();
      if (rect.bottom > window.innerHeight || rect.top < 0) {
        first.scrollIntoView({ block: "center" });
      }
    }
    var nav = document.querySelector(".match-nav");
    if (!nav || !marks.length) {
      return;
    }
    nav.hidden = false;
    var position = document.querySelector(".match-pos");
    var current = -1;

    function show(i) {
      if (current >= 0) {
        marks[current].classList.remove("is-current");
      }
      current = (i + marks.length) % marks.length;
      marks[current].classList.add("is-current");
      marks[current].scrollIntoView({ block: "center" });
      position.textContent = "Chỗ khớp " + (current + 1) + "/" + marks.length;
    }

    nav.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-match]");
      if (button) {
        show(current + (button.getAttribute("data-match") === "next" ? 1 : -1));
      }
    });
    document.addEventListener("keydown", function (event) {
      if (editable(document.activeElement) || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (event.key === "n") {
        show(current + 1);
      } else if (event.key === "p") {
        show(current - 1);
      }
    });
  }

  /* ---- start ------------------------------------------------------------------------ */

  document.documentElement.classList.add("js");
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  var searchPage = document.body.classList.contains("search-page");
  var capable = window.fetch && window.AbortController && window.URLSearchParams &&
    window.DOMParser && window.history.replaceState && window.CSS && CSS.escape;
  if (input && list && capable) {
    var suggestions = autocomplete(input, list, searchPage);
    if (searchPage && document.getElementById("live")) {
      live(input.form, input, suggestions);
    }
  }
  if (input) {
    keyboard(input);
    /* Not on a phone's results page: its on-screen keyboard would cover the results. */
    var home = !input.value;
    var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    if (searchPage && !window.location.hash && (home || !touch)) {
      input.focus();
      var end = input.value.length;
      input.setSelectionRange(end, end);
    }
  }
  collapseFacets();
  matches();
})();
