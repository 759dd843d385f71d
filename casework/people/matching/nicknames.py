"""Common English, Scottish, Welsh and Irish given names and the short forms people use for them.

Written for this project as data (not copied from a licensed list). Each line reads
``formal name: variant, variant, ...``; a variant is a nickname, a short form, a common spelling
or a Celtic form of the same name. A name may sit in more than one group (``alex`` is short for
``alexander`` and for ``alexandra``; ``chris`` for ``christopher``, ``christine``, ``christina``).

Two given names are *equivalent* when they share a group: ``bob`` and ``robert`` do, ``bob`` and
``rob`` do (both in the ``robert`` group), ``alex`` and ``sandy`` do (``alexander``).
"""

from __future__ import annotations

from functools import lru_cache

NICKNAME_GROUPS = """
abigail: abi, abby, abbie, gail
abraham: abe, bram
adrian: ade
agnes: aggie, nessie, nancy
albert: al, bert, bertie, albie
alexander: alex, alec, alick, sandy, xander, lex, alasdair, alistair, alastair
alexandra: alex, alexa, sandra, sandy, lexi, lexie, zandra
alfred: alf, alfie, fred, freddie
alice: ally, allie, alison, alys
alison: ali, ally, allie
amanda: mandy, manda
andrew: andy, drew, andi
angela: angie, ange
anne: ann, annie, anna, nan, nancy, hannah
anthony: tony, ant, antony
archibald: archie, archy, baldie
arthur: art, artie
barbara: barb, babs, barbie, bab
barnaby: barney
bartholomew: bart, barty, tolly
beatrice: bea, bee, trixie, beattie
benjamin: ben, benny, benji, benjy
bernard: bernie, barney
bridget: bridie, biddy, bridgette, brigid
caroline: carrie, caro, carol, lyn, lynne
catherine: cath, cathy, kate, katie, kath, kathy, kay, kitty, katherine, kathryn, katharine, catriona, caitlin, kit
cecilia: cece, cissie, celia, sissy
charles: charlie, chas, chuck, chaz, chic
charlotte: lottie, charlie, lotte, char
christian: chris, kit
christina: chris, chrissie, tina, kirsty, kirstie, christine
christine: chris, chrissie, tina, kirsty, kirstie, christina
christopher: chris, kit, topher, kris
clare: claire, clara
clifford: cliff
colin: col
cornelius: con, neil, corny
cynthia: cindy, cyn
daniel: dan, danny
david: dave, davey, davie, dai, dafydd, davy
deborah: debbie, deb, debs, debra
denise: dee, niecy
dennis: den, denny
derek: del, dez, derrick
diana: di, dianne, diane
dominic: dom, nic, nicky
donald: don, donny, donnie
dorothy: dot, dottie, dolly, dora
douglas: doug, dougie
duncan: dunc
edmund: ed, eddie, ned, ted
edward: ed, eddie, eddy, ted, teddy, ned, ward
edwin: ed, eddie, win
eileen: eily, aileen
eleanor: ellie, nell, nellie, nora, elle, elly, leonora
elizabeth: liz, lizzie, lizzy, beth, betty, bet, bette, bess, bessie, eliza, elsie, libby, lisa, liza, lilibet, betsy, elisabeth, elspeth, isobel, isabel
ellen: ellie, nell, nellie, helen
emily: em, emmy, milly, millie, emilia
emma: em, emmy, emmie
ernest: ernie, ern
esther: essie, hetty
eugene: gene
evelyn: eve, evie, lyn
florence: flo, florrie, flossie
frances: fran, frankie, fanny, franny, francesca
francis: frank, frankie, fran
frank: frankie
frederick: fred, freddie, freddy, fritz, rick
gabriel: gabe, gabby
gabrielle: gabby, gabi, ella
geoffrey: geoff, jeff, jeffrey, jeffery
george: georgie, geordie, dod
georgina: georgie, gina, george
gerald: gerry, jerry, ged
geraldine: gerry, geri, dina
gertrude: gertie, trudy, trudi
gilbert: gil, bert
gillian: gill, jill, gilly, jilly
gordon: gordy, gord
graham: gray, grahame, graeme
gregory: greg, gregor
gwendolen: gwen, wendy, gwendoline
harold: harry, hal, hal
harriet: hattie, hatty, harry
harrison: harry
helen: nell, nellie, lena, ellen, elaine, helena
henrietta: etta, hetty, henny, hattie
henry: harry, hal, hank, hen
herbert: herb, bert, bertie
hilary: hil, hillary
horace: horry
howard: howie
hubert: hugh, bert
hugh: hughie, hugo
ian: iain, john, ieuan
irene: rene, reenie
isaac: ike, zac, zack
isabel: izzy, izzie, bella, belle, isabelle, isabella, isobel, ishbel, elizabeth
jacob: jake, jakey, coby
jacqueline: jackie, jacqui, jacky
james: jim, jimmy, jimmie, jamie, jem, jas, hamish, seamus, shamus, jay
jane: janey, jenny, jan, jayne, jean, sheena, sian
janet: jan, jenny, jessie, netta, janette
jennifer: jen, jenny, jenni, jennie, jenna
jeremy: jerry, jez, jem
jessica: jess, jessie, jessy
joan: joanie, jo, siobhan
joanna: jo, joanne, jojo, joann, joanie
john: jack, johnny, jon, jonny, sean, shaun, shawn, ian, iain, evan, ieuan, sion, eoin, jock, johnnie
jonathan: jon, jonny, john, nathan, jonty
joseph: joe, joey, jo, jos, seph
josephine: jo, josie, jose, jojo, fifi, phina
joshua: josh
judith: judy, judi, jude
julia: jules, julie
julian: jules
katherine: kate, katie, kathy, kath, kay, catherine, kit, kitty
kenneth: ken, kenny
kimberley: kim, kimmy, kimberly
laurence: larry, laurie, lawrie, lawrence, loz
leonard: len, lenny, leo, leon
leslie: les, lesley
lillian: lily, lil, lilly, lilian
louisa: lou, lulu, louise, lou-lou
louise: lou, lulu, louisa
lucy: lu, lucinda, lucia
madeleine: maddie, maddy, madeline, madge, lena
margaret: maggie, meg, megan, peggy, peg, madge, maisie, daisy, greta, marge, margie, rita, molly, mags, margot, marjorie, mairead
marjorie: marge, margie, madge, margery
martin: marty, mart
mary: molly, polly, mamie, mae, may, maureen, maria, marie, mari, mair, moira, maire
matilda: tilly, tillie, maud, mattie, tilda
matthew: matt, matty, mat
maureen: mo, maura, mary
michael: mike, mick, micky, mickey, mikey, mich, mitch
michelle: shell, chelle, shelley, micky
nathan: nat, nate
nathaniel: nat, nate, nathan, natty
nicholas: nick, nicky, nico, nic, claus
nicola: nicky, nikki, nic, cola, nichola
oliver: ollie, olly, noll
olivia: liv, livvy, ollie, livia
pamela: pam, pammy
patricia: pat, patty, patsy, trish, tricia, trisha, paddy
patrick: pat, paddy, patsy, rick, padraig
paul: paulie, pol
penelope: penny, pen, nell
peter: pete, pedro, piers, perry
philip: phil, pip, phillip, flip
philippa: pippa, pip, phil, philly
rachel: rach, rae, shelly
raymond: ray, raymie
rebecca: becky, becca, becks, bex, reba
reginald: reg, reggie, rex, naldo
richard: rick, ricky, rich, richie, dick, dicky, rich, ritchie, rico
robert: rob, robbie, robby, bob, bobby, bert, bertie, robin, rab, rabbie, dob
rodney: rod, roddy
roger: rodge, hodge
ronald: ron, ronnie, ronny, ranald
rosalind: ros, roz, rosie, linda
rosemary: rose, rosie, romy
samantha: sam, sammy, sammie, sami
samuel: sam, sammy, sammie
sandra: sandy, sandie, sand
sarah: sally, sadie, sara, sal, sarie, zara
sebastian: seb, bastian, sebby
sharon: shaz, shazza
simon: si, sim, simey
sophia: sophie, soph, sophy
stanley: stan
stephanie: steph, stevie, steff, fanny
stephen: steve, stevie, steven, steph, steff, stevo
stuart: stu, stewart, stew
susan: sue, susie, suzy, suzie, sukie, susanna, susannah, suzanne, sus
sylvia: syl, sylvie, silvia
terence: terry, tel, terrance
teresa: terry, tess, tessa, tessie, theresa, tracy, tracey
theodore: theo, ted, teddy
thomas: tom, tommy, tam, thom, tomos, tommo
timothy: tim, timmy
tobias: toby
valerie: val
veronica: ronnie, roni, vera, nicky
victor: vic, vicky
victoria: vicky, vicki, vickie, tori, tory, vic
vincent: vince, vinny, vin
vivian: viv, vivienne, vivien
walter: wally, walt, wat
wilfred: wilf, fred, freddie
william: will, bill, billy, willie, willy, liam, wills, gwilym, wullie
winifred: winnie, freda, win, fred
yvonne: vonnie, von
zachary: zach, zack, zac, zak
"""


def _parse(text: str) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for line in text.strip().splitlines():
        formal, _, rest = line.partition(":")
        formal = formal.strip()
        members = {formal} | {name.strip() for name in rest.split(",") if name.strip()}
        for name in members:
            groups.setdefault(name, set()).add(formal)
    return {name: frozenset(formals) for name, formals in groups.items()}


#: name -> the formal names whose group it belongs to (a formal name maps to itself as well)
NAME_TO_FORMALS: dict[str, frozenset[str]] = _parse(NICKNAME_GROUPS)


@lru_cache(maxsize=65536)
def formal_names(name: str) -> frozenset[str]:
    """The formal names ``name`` may stand for; the name itself when it is in no group (one shared
    set per name: a batch of a million persons holds a few thousand names)."""
    return NAME_TO_FORMALS.get(name, frozenset((name,)))


@lru_cache(maxsize=65536)
def canonical_given_name(name: str) -> str:
    """One stable representative of the name's groups, used in blocking keys.

    A name that belongs to several groups (``alex``) is represented by the alphabetically first
    formal name; the comparison step still treats every group as equivalent.
    """
    return min(formal_names(name))


def are_equivalent(name_1: str, name_2: str) -> bool:
    """True when the two (normalised) given names are the same name or nicknames of one name."""
    if not name_1 or not name_2:
        return False
    if name_1 == name_2:
        return True
    return bool(formal_names(name_1) & formal_names(name_2))


def pair_count() -> int:
    """How many (formal, variant) pairs the table holds."""
    return sum(len(formals) for name, formals in NAME_TO_FORMALS.items() for formal in formals if formal != name)
