"""What the board shows: tiles, status, the timeline, owners' notes, drill-downs."""
