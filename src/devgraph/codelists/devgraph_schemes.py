"""devgraph's own concept schemes (not from IATI): PartnerRole, Reach, Sex.

They are generated with the IATI lists so one command regenerates every codelist file, and
PartnerRole points to IATI OrganisationRole with ``skos:broadMatch`` where a role fits.
"""

from __future__ import annotations

from rdflib import RDF, Graph, Literal
from rdflib.namespace import SKOS

from devgraph.codelists.rdf import add_texts, concept_iri, new_graph, scheme_iri

__all__ = ["devgraph_graph"]

# devgraph's own schemes: name → (labels, definition, {code: (en, fr, definition en, def fr)}).
_IMPLEMENTING = concept_iri("OrganisationRole", "4")
_OWN_SCHEMES: dict[str, tuple[tuple[str, str], str, dict[str, tuple[str, str, str, str]]]] = {
    "PartnerRole": (
        ("Partner role", "Rôle de partenaire"),
        "Finer roles of the organisations in an activity, as project documents state them. "
        "IATI OrganisationRole only knows funding, accountable, extending and implementing; "
        "skos:broadMatch points to the IATI role where one fits.",
        {
            "lead-implementer": (
                "Lead implementer",
                "Chef de file",
                "The implementing organisation that leads the activity, usually holds the "
                "agreement with the funder and co-ordinates the other partners.",
                "L'organisation de mise en œuvre qui pilote l'activité, porte en général la "
                "convention avec le bailleur et coordonne les autres partenaires.",
            ),
            "implementing-partner": (
                "Implementing partner",
                "Partenaire de mise en œuvre",
                "An organisation that carries out part of the activity alongside or under the "
                "lead implementer.",
                "Une organisation qui exécute une partie de l'activité avec le chef de file ou "
                "sous sa coordination.",
            ),
            "operational-partner": (
                "Operational partner",
                "Partenaire opérationnel",
                "A partner, often local, that delivers the activity in the field (services to "
                "the target groups, works, distributions).",
                "Un partenaire, souvent local, qui réalise l'activité sur le terrain (services "
                "aux groupes cibles, travaux, distributions).",
            ),
            "technical-partner": (
                "Technical partner",
                "Partenaire technique",
                "A partner that brings expertise, methods or training without carrying out the "
                "activity itself. IATI has no role for this: it is an Implementing organisation "
                "(OrganisationRole 4) only when it also does part of the work, so no mapping "
                "to OrganisationRole is stated.",
                "Un partenaire qui apporte une expertise, des méthodes ou des formations sans "
                "exécuter l'activité. IATI n'a pas de rôle correspondant : il n'est "
                "« mise en œuvre » (OrganisationRole 4) que s'il exécute aussi une partie du "
                "travail, d'où l'absence de correspondance déclarée.",
            ),
            "support-partner": (
                "Support partner",
                "Partenaire d'appui",
                "A partner that supports the activity (institutional backing, co-ordination, "
                "in-kind help) without funding or carrying it out. No IATI OrganisationRole "
                "fits, so no mapping is stated.",
                "Un partenaire qui appuie l'activité (soutien institutionnel, coordination, "
                "aide en nature) sans la financer ni l'exécuter. Aucun rôle IATI ne convient, "
                "d'où l'absence de correspondance déclarée.",
            ),
        },
    ),
    "Reach": (
        ("Beneficiary reach", "Portée auprès des bénéficiaires"),
        "Whether a beneficiary count covers people the activity reaches directly or indirectly.",
        {
            "direct": (
                "Direct beneficiaries",
                "Bénéficiaires directs",
                "People who take part in or receive the activity's services or goods themselves.",
                "Personnes qui participent à l'activité ou en reçoivent elles-mêmes les services "
                "ou les biens.",
            ),
            "indirect": (
                "Indirect beneficiaries",
                "Bénéficiaires indirects",
                "People who benefit through the direct beneficiaries (their households, "
                "communities, customers) without taking part themselves.",
                "Personnes qui en bénéficient par l'intermédiaire des bénéficiaires directs "
                "(ménages, communautés, clients) sans y participer elles-mêmes.",
            ),
        },
    ),
    "Sex": (
        ("Sex", "Sexe"),
        "Sex of the people a beneficiary count covers, as the source document reports it.",
        {
            "female": ("Female", "Femmes", "Women and girls.", "Femmes et filles."),
            "male": ("Male", "Hommes", "Men and boys.", "Hommes et garçons."),
        },
    ),
}
_BROAD_MATCH = {
    ("PartnerRole", "lead-implementer"): _IMPLEMENTING,
    ("PartnerRole", "implementing-partner"): _IMPLEMENTING,
    ("PartnerRole", "operational-partner"): _IMPLEMENTING,
}


def devgraph_graph() -> Graph:
    """devgraph's own schemes (not from IATI): PartnerRole, Reach, Sex."""
    graph = new_graph()
    for name, ((label_en, label_fr), definition, concepts) in _OWN_SCHEMES.items():
        scheme = scheme_iri(name)
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        add_texts(graph, scheme, SKOS.prefLabel, {"en": label_en, "fr": label_fr})
        add_texts(graph, scheme, SKOS.definition, {"en": definition})
        for code, (en, fr, def_en, def_fr) in concepts.items():
            concept = concept_iri(name, code)
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.inScheme, scheme))
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
            graph.add((concept, SKOS.notation, Literal(code)))
            add_texts(graph, concept, SKOS.prefLabel, {"en": en, "fr": fr})
            add_texts(graph, concept, SKOS.definition, {"en": def_en, "fr": def_fr})
            if (name, code) in _BROAD_MATCH:
                graph.add((concept, SKOS.broadMatch, _BROAD_MATCH[name, code]))
    return graph
