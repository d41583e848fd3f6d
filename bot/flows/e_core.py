"""Exercise E, "De kern van het samen doen", with the "Boom van samenwerking" (tree of collaboration).

Carries the complete lists of possible roles of formal and informal workers, each with its
description, and the list of pitfalls.
"""

from bot.engine import AnswerIncludes, ChosenEarlier, Flow, Kind, Option, SideIs, Step
from bot.engine.model import FORMAL, INFORMAL
from bot.i18n import N_

ORDER = 50
MAX_TRUNK_ROLES = 6  # "a selection of at most five or six roles"

FORMAL_ROLES = (
    Option("f_coord", N_("Coordinator"), N_("Guides informal workers who act as intermediaries, or coordinates projects in which formal and informal workers work together.")),
    Option("f_fixer", N_("Fixer"), N_("Quickly solves practical problems when they arise, thinks up solutions and possibilities.")),
    Option("f_link", N_("Linking pin"), N_("Brings informal workers into contact with each other, and also connects informal workers with other formal workers.")),
    Option("f_network", N_("Networker"), N_("Knows how to reach the right people and involve them in reaching shared goals.")),
    Option("f_organiser", N_("Organiser / facilitator"), N_("Takes on organisational and administrative tasks in the collaboration. Facilitates encounters and meetings.")),
    Option("f_catalyst", N_("Catalyst: helps plans of informal workers grow"), N_("Sees and recognises the potential in the plans or actions of informal workers and helps them get off the ground, have more impact or take a lasting form.")),
    Option("f_recognition", N_("Giver of recognition"), N_("Gives recognition for the work of the informal worker.")),
    Option("f_sparring", N_("Sparring partner"), N_("Helps to clarify ideas, gives advice to the informal worker.")),
    Option("f_expert", N_("Expert"), N_("Has specific pedagogical expertise.")),
    Option("f_guard", N_("Guardian"), N_("Is responsible for guarding the safety of the child.")),
)

INFORMAL_ROLES = (
    Option("i_confidant", N_("Confidant"), N_("Offers a listening ear and is trusted by parents.")),
    Option("i_contact", N_("Easy-to-reach contact point"), N_("Is the first to be approached when there are doubts or problems.")),
    Option("i_model", N_("Role model"), N_("Is a positive example for parents or young people, inspires movement and change.")),
    Option("i_informer", N_("Informer"), N_("Gives basic information about raising children and about the services that exist.")),
    Option("i_driver", N_("Driving force"), N_("Encourages parents to face problems and tackle them.")),
    Option("i_catalyst", N_("Catalyst: encourages parents to take steps"), N_("Creates conditions for change and encourages parents who want to do more or something different about raising their children to take steps.")),
    Option("i_safe", N_("Creator of the safe space"), N_("Makes sure parents together develop a positive self-image, on the basis of which they can discuss choices and difficulties in raising children.")),
    Option("i_signal", N_("Signaller"), N_("Picks up signals and involves formal workers where needed.")),
    Option("i_referrer", N_("Referrer"), N_("Refers parents to professional help after preparing them for it (“groundwork”).")),
    Option("i_adviser", N_("Adviser to the formal worker"), N_("Advises the formal worker on how to deal with a specific target group.")),
    Option("i_clarifier", N_("Clarifier"), N_("Helps to clarify the problems of parents and young people.")),
    Option("i_thinker", N_("Thinking partner"), N_("Thinks along with the formal worker about solutions.")),
    Option("i_companion", N_("Companion of clients"), N_("Accompanies clients together with formal workers.")),
    Option("i_interpreter", N_("Interpreter (literally and figuratively)"), N_("Translates between the worlds of parents and professionals and bridges language problems.")),
    Option("i_aftercare", N_("Aftercare provider"), N_("Stays in contact with a family after a support programme and offers aftercare.")),
    Option("i_pathway", N_("Preparer for help"), N_("Gets families and parents ready for help or advice from formal services.")),
    Option("i_network", N_("Network opener"), N_("Gives other informal or formal workers access to their own network.")),
)

ALL_ROLES = FORMAL_ROLES + INFORMAL_ROLES
# The role lists show the names; what each role means comes on demand (27 descriptions are
# hundreds of words on a phone).
ROLES_EXPLAINED = N_("ℹ️ What the roles mean")


def _marked(roles: tuple[Option, ...], side: str) -> tuple[Option, ...]:
    """Roles of both sides in one list: grouped by side, each marked (formal) or (informal). The
    hand-out: "name some roles that fit yourself or the other, then come to a selection of at most
    five or six": the roles named in the two steps before, or all of them when none was named."""
    named = ("e.roles_own", "e.roles_other")
    return tuple(Option(r.id, r.label, r.description, when=ChosenEarlier(named, r.id), side=side) for r in roles)


def _side_roles(roles: tuple[Option, ...], side: str) -> tuple[Option, ...]:
    return tuple(Option(r.id, r.label, r.description, when=SideIs(side)) for r in roles)


PITFALLS = (
    Option("p_diversity", N_("(Lack of) diversity and cultural sensitivity among formal workers.")),
    Option("p_informal", N_("Guarding the informal position of informal workers.")),
    Option("p_balance", N_("Balance between burden and capacity.")),
    Option("p_structure", N_("A lasting connection needs structural forms of consultation: ad hoc collaboration when there is an urgent problem often leads to dissatisfaction.")),
    Option("p_management", N_("Involvement of the management on both sides (time and room to invest in the collaboration).")),
    Option("p_coordination", N_("Coordination and clarity about responsibilities.")),
)


def _pitfall_step(pitfall: Option) -> Step:
    return Step(
        id=pitfall.id,
        kind=Kind.TEXT,
        label=N_("Pitfall “{pitfall}”: what it means in our case"),
        prompt=N_("Pitfall: “{pitfall}” What does it mean in your case?"),
        prompt_args=(("pitfall", pitfall.label),),
        when=AnswerIncludes("e.pitfalls", pitfall.id),
        optional=True,
        at_meeting=True,  # the hand-out: "discuss with each other ... what does it mean in your case?"
    )


FLOW = Flow(
    id="e",
    letter="E",
    title=N_("The core of working together (De kern van het samen doen)"),
    # Short preparation: the roles you take on and expect, the pitfalls you recognise.
    short=("roles_own", "roles_other", "pitfalls"),
    steps=(
        Step(
            id="need",
            kind=Kind.TEXT,
            label=N_("What I need from the other"),
            prompt=N_("What do you need from the other side?"),
            prefill_from=("a.seek",),
            optional=True,  # as every question of the meeting: skipped there when it does not apply
            at_meeting=True,  # agreed at the table; prepared in A and C, filled in from there
        ),
        Step(
            id="goal",
            kind=Kind.TEXT,
            label=N_("What we want to achieve together"),
            prompt=N_("What do you want to do together? First the goal: what do you want to achieve together?"),
            prefill_from=("c.goal",),
            optional=True,  # as every question of the meeting: skipped there when it does not apply
            at_meeting=True,  # agreed at the table; prepared in A and C, filled in from there
        ),
        Step(
            id="approach",
            kind=Kind.TEXT,
            label=N_("How we reach the goal together"),
            prompt=N_("The concrete way of working: how will you reach this goal together?"),
            prefill_from=("c.what",),  # C's own design: "what exactly is done"
            optional=True,  # as every question of the meeting: skipped there when it does not apply
            at_meeting=True,  # agreed at the table; prepared in A and C, filled in from there
        ),
        Step(
            id="contribution",
            kind=Kind.TEXT,
            label=N_("What each partner brings in"),
            prompt=N_("What does each of the partners bring in?"),
            prefill_from=("c.roles",),  # C's own design: "who has which role"
            optional=True,  # as every question of the meeting: skipped there when it does not apply
            at_meeting=True,  # agreed at the table; prepared in A and C, filled in from there
        ),
        Step(
            id="conditions",
            kind=Kind.TEXT,
            label=N_("Conditions that matter for success"),
            prompt=N_("Which conditions are important for success?"),
            prefill_from=("c.conditions",),
            optional=True,  # as every question of the meeting: skipped there when it does not apply
            at_meeting=True,  # agreed at the table; prepared in A and C, filled in from there
        ),
        Step(
            id="tree",
            kind=Kind.INFO,
            label=N_("The tree of collaboration"),
            prompt=N_(
                "The tree of collaboration (Boom van samenwerking), drawn at the meeting:\n"
                "• fruits: the goals;\n"
                "• roots: what each party brings (knowledge, expertise, experience, strength);\n"
                "• trunk: the roles needed, at most five or six;\n"
                "• sun: the conditions for success;\n"
                "• watering can: what you need from other parties.\n"
                "Here you prepare your part."
            ),
        ),
        Step(
            id="fruits",
            kind=Kind.LIST,
            label=N_("Fruits: goals"),
            prompt=N_("The fruits: which goals should the collaboration bear?"),
            prefill_from=("a.goals", "a.owngoals", "c.goal", "e.goal"),
        ),
        Step(
            id="roots",
            kind=Kind.LIST,
            label=N_("Roots: what I bring"),
            prompt=N_("The roots: what do you bring in knowledge, expertise, experience and strength?"),
            prefill_from=("b.own_knowledge", "b.own_skills", "b.own_position", "b.own_power", "b.offer", "a.offer"),
        ),
        Step(
            id="roles_own",
            kind=Kind.MULTI,
            label=N_("Roles I take on myself"),
            prompt=N_("Roles from earlier meetings, for inspiration: which of them fit you or your organisation?"),
            options=_side_roles(FORMAL_ROLES, FORMAL) + _side_roles(INFORMAL_ROLES, INFORMAL),
            explain=ROLES_EXPLAINED,
            min=0,
            max=MAX_TRUNK_ROLES,
        ),
        Step(
            id="roles_other",
            kind=Kind.MULTI,
            label=N_("Roles I expect from the other side"),
            prompt=N_("Which roles do you expect from the other side?"),
            options=_side_roles(INFORMAL_ROLES, FORMAL) + _side_roles(FORMAL_ROLES, INFORMAL),
            explain=ROLES_EXPLAINED,
            min=0,
            max=MAX_TRUNK_ROLES,
        ),
        Step(
            id="trunk",
            kind=Kind.MULTI,
            label=N_("Trunk: the essential roles"),
            prompt=N_(
                "Together you will choose at most five or six roles that are essential for the collaboration. "
                "Which roles, of both sides, would you write in the trunk?"
            ),
            options=_marked(FORMAL_ROLES, FORMAL) + _marked(INFORMAL_ROLES, INFORMAL),
            explain=ROLES_EXPLAINED,
            prefill_from=("e.roles_own", "e.roles_other"),
            min=1,
            max=MAX_TRUNK_ROLES,
        ),
        Step(
            id="sun",
            kind=Kind.LIST,
            label=N_("Sun: conditions for success"),
            prompt=N_("The sun: which conditions are most important for the collaboration to succeed?"),
            prefill_from=("c.conditions", "e.conditions"),
        ),
        Step(
            id="can",
            kind=Kind.LIST,
            label=N_("Watering can: what we need from other parties"),
            prompt=N_("The watering can: what do you need from other parties?"),
            prefill_from=("a.seek", "e.need"),
        ),
        Step(
            id="pitfalls",
            kind=Kind.MULTI,
            label=N_("Pitfalls that apply"),
            prompt=N_("Pitfalls from earlier research: which of them do you recognise? Choose any number."),
            options=PITFALLS,
            min=0,
        ),
        *(_pitfall_step(p) for p in PITFALLS),
        Step(
            id="next",
            kind=Kind.LIST,
            label=N_("Concrete next steps"),
            prompt=N_("Concrete next steps: which steps do you propose?"),
            optional=True,
            at_meeting=True,  # the hand-out: "make concrete agreements about next steps with each other"
        ),
        Step(
            id="scribe",
            kind=Kind.TEXT,
            label=N_("Who writes the agreements down"),
            prompt=N_("Who writes these agreements down?"),
            optional=True,
            at_meeting=True,  # decided at the table
        ),
        Step(
            id="notes",
            kind=Kind.TEXT,
            label=N_("My own notes"),
            prompt=N_("Your own notes about concrete agreements and next steps, if any."),
            optional=True,
            at_meeting=True,
        ),
    ),
)
