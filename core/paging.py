"""Paging that costs the same at both ends of a long list.

With LIMIT/OFFSET the database reads and sorts every row before the page it
returns, so the last page of 20,000 rows costs many times the first. A page
in the back half of the list is read from the other end instead, in the
reverse of the list's ordering with the offset counted from the end, and
turned round: the last page then costs what the first does, and no page
costs more than the middle one. Page numbers, links and the exact count stay
as Django's Paginator gives them.

The queryset's ordering must be total (ending on a unique key), or rows that
tie could change places between the two directions.
"""
from django.core.paginator import Paginator
from django.db.models import QuerySet


class TwoWayPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if not isinstance(self.object_list, QuerySet) or bottom <= self.count - top:
            return self._get_page(self.object_list[bottom:top], number, self)
        from_end = self.object_list.reverse()[self.count - top:self.count - bottom]
        return self._get_page(list(from_end)[::-1], number, self)
