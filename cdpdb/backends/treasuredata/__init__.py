"""Treasure Data CDP (Audience API): parent segments, segments and their profiles as SQL."""
