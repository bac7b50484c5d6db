// The admin console's one script (issue 18 part 1; docs/ADMIN-CONSOLE.md, "Adding an app").
// Served from our origin (script-src 'self'), nothing inline. Every page works without it:
// the server checks each form on submit and shows the problems next to the fields. With it:
//  - forms marked data-validate are checked as you type (POST to that address, the same check
//    as the submit), each problem shown next to its field and tied to it by aria-describedby;
//    one status line announces how many problems there are when that number changes;
//  - the values to copy into the identity service follow the slug and the settings;
//  - each value gets a Copy button (navigator.clipboard).
'use strict';

(function () {
  const DELAY_MS = 350;

  const idOf = (name) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

  function copyButtons() {
    for (const button of document.querySelectorAll('button[data-copy-from]')) {
      button.hidden = false;
      // The labels come with the button, in the page's language (blocks.ts copyList).
      const label = button.textContent;
      button.addEventListener('click', async () => {
        const field = document.getElementById(button.dataset.copyFrom);
        if (!field) return;
        try {
          await navigator.clipboard.writeText(field.value);
          button.textContent = button.dataset.copied || 'Copied';
        } catch {
          // No clipboard permission (an http page, an old browser): select it for Ctrl+C.
          field.select();
          button.textContent = button.dataset.selected || 'Selected: press Ctrl+C';
        }
        setTimeout(() => { button.textContent = label; }, 2500);
      });
    }
  }

  function fillCopyValues(copy) {
    for (const field of document.querySelectorAll('[data-copy]')) {
      const value = copy[field.dataset.copy];
      if (typeof value === 'string' && field.value !== value) field.value = value;
    }
  }

  function controlsOf(form) {
    return [...form.elements].filter((c) => c.name && c.type !== 'hidden' && c.type !== 'submit' && c.type !== 'button' && !c.readOnly);
  }

  function showProblem(control, problem) {
    if (!control.id) control.id = idOf(control.name);
    const errorId = `${control.id}-error`;
    let note = document.getElementById(errorId);
    const describedBy = (control.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== errorId);
    if (!problem) {
      if (note) note.remove();
      control.removeAttribute('aria-invalid');
      if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
      else control.removeAttribute('aria-describedby');
      return;
    }
    if (!note) {
      note = document.createElement('span');
      note.className = 'field-error';
      note.id = errorId;
      const label = control.closest('label');
      if (label && label.classList.contains('check')) label.after(note);
      else if (label) label.append(note);
      else control.after(note);
    }
    note.textContent = problem;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [...describedBy, errorId].join(' '));
  }

  function watch(form) {
    // Only fields the admin has changed (or the server found wrong) show a problem: a new form
    // is not a wall of "required".
    const touched = new Set(controlsOf(form).filter((c) => c.getAttribute('aria-invalid') === 'true').map((c) => c.name));
    const status = form.querySelector('[data-problem-count]');
    let timer;
    let sequence = 0;
    let announced = -1;

    async function check() {
      const mine = ++sequence;
      let answer;
      try {
        const response = await fetch(form.dataset.validate, {
          method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, body: new URLSearchParams(new FormData(form)),
        });
        if (!response.ok) return;
        answer = await response.json();
      } catch {
        return; // offline or signed out: the submit still checks everything
      }
      if (mine !== sequence) return; // a later check is on its way
      const problems = answer.problems || {};
      let shown = 0;
      for (const control of controlsOf(form)) {
        const problem = touched.has(control.name) ? problems[control.name] : undefined;
        if (control.type === 'checkbox' && form.querySelectorAll(`[name="${CSS.escape(control.name)}"]`).length > 1) continue;
        showProblem(control, problem);
        if (problem) shown++;
      }
      if (status && shown !== announced) {
        announced = shown;
        status.textContent = shown === 0 ? status.dataset.none : shown === 1 ? status.dataset.one : status.dataset.many.replace('{count}', String(shown));
      }
      fillCopyValues(answer.copy || {});
    }

    const changed = (event) => {
      if (event.target && event.target.name) touched.add(event.target.name);
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    };
    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
  }

  copyButtons();
  for (const form of document.querySelectorAll('form[data-validate]')) watch(form);
})();
