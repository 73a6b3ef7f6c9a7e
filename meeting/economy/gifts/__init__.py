"""Gifts: recorded by the treasurer or announced by a donor (pledged → received), seen one by
one only by the treasurer and the donor; receipts when the place issues them."""
