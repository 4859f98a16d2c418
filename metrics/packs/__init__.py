"""Board packs: gathered once, rendered as PDF and HTML, frozen per period."""
