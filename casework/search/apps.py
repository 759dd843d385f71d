from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "casework.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from casework.cases.models import Case
        from casework.core import changes
        from casework.people.models import Person
        from casework.referrals.models import Referral
        from casework.search.services import index_case, index_cases_of_person, index_referral

        # The writers announce their changes (casework.core.changes); the index follows them in
        # the same transaction.
        changes.listen(Referral, index_referral)
        changes.listen(Case, index_case)
        changes.listen(Person, index_cases_of_person)
