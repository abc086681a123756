// The book loads no widget JavaScript (it must work offline and the explorers need a running
// kernel anyway): each widget output becomes a note that says where the explorer works.
document.addEventListener("DOMContentLoaded", () => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  views.forEach((view) => {
    const note = document.createElement("p");
    note.className = "widget-fallback";
    note.textContent = "An interactive explorer appears here when the notebook runs (in Jupyter, on Binder "
      + "or on Colab: see the links at the top of the page). The static figures of this chapter show its views.";
    view.replaceWith(note);
  });
});
