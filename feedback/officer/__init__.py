"""The officer's workspace: their directorate's queue and the actions on its tickets."""
