//! Walks a member of each shipped product through enrolment, a year of contributions,
//! lapse and reinstatement, and every claim type with the sources' amounts.

use super::calendar::Calendar;
use super::claims::*;
use super::eligibility::{self, PersonFacts};
use super::ledger::*;
use super::product::*;
use super::reports::*;
use crate::date::Date;
use crate::money::Rupiah;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn product(code: &str) -> Product {
    Product::shipped()
        .into_iter()
        .find(|p| p.code == code)
        .unwrap()
}

/// Records `r` if `check_payment` allows it on the ledger so far.
fn try_pay(
    p: &Product,
    start: Date,
    book: &mut Vec<PaymentEntry>,
    r: PaymentRequest,
) -> Result<(), (&'static str, String)> {
    let before = evaluate(p, start, book, r.paid_on);
    check_payment(p, &before, book.last().map(|x| x.paid_on), &r)?;
    book.push(PaymentEntry {
        paid_on: r.paid_on,
        months: r.months,
        amount: r.amount,
        payer: r.payer,
    });
    Ok(())
}

fn req(on: &str, months: u32, amount: i64, payer: Payer, reinstate: bool) -> PaymentRequest {
    PaymentRequest {
        paid_on: d(on),
        months,
        amount: Rupiah(amount),
        payer,
        reinstate,
    }
}

fn claim(event: Event, on: &str, filed: &str, who: &str) -> ClaimInput {
    ClaimInput {
        event,
        event_date: d(on),
        filed_on: d(filed),
        claimant_nik: Some(who.into()),
        activity: Activity::Other,
        occupation: None,
        illness_days: None,
        cost: None,
    }
}

const MEMBER: &str = "3201010101800001";
const HEIR: &str = "3201014101820002";

fn heirs() -> Vec<HeirRef> {
    vec![HeirRef {
        nik: HEIR.into(),
        relation: "spouse".into(),
    }]
}

fn insured<'a>(ledger: &'a Ledger, heirs: &'a [HeirRef], prior: &'a [PriorClaim]) -> Insured<'a> {
    Insured {
        nik: MEMBER,
        occupation: "tukang_ojek",
        ended: None,
        heirs,
        ledger,
        prior,
    }
}

#[test]
fn shipped_products_parse_with_the_sources_amounts() {
    let all = Product::shipped();
    assert_eq!(
        all.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        ["askesos_2003", "askesos_ni", "askesos_reform"]
    );
    let ni = product("askesos_ni");
    assert_eq!(ni.contribution.monthly_amount, Rupiah(10_400));
    assert_eq!(ni.subsidy_months(), 12);
    assert_eq!(ni.payer_of_month(12), Payer::Subsidy);
    assert_eq!(ni.payer_of_month(13), Payer::Member);
    assert_eq!(ni.fee_bp_on(d("2013-06-01")), 1250);
    assert_eq!(ni.fee_bp_on(d("2014-06-01")), 750);
    assert_eq!(ni.sla_days(Event::Death), 3);
    let old = product("askesos_2003");
    assert_eq!(old.contribution.enrolment_subsidy, Rupiah(365_000));
    assert_eq!(old.subsidy_months(), 0);
    assert_eq!(product("askesos_reform").subsidy_months(), 36);
}

#[test]
fn bad_product_files_name_the_place() {
    let good = super::product::SHIPPED[1].1;
    let cases = [
        (
            "\"payer\": \"member\"",
            "\"payer\": \"bank\"",
            "contribution.phases[1].payer",
        ),
        (
            "\"event\": \"dentures\"",
            "\"event\": \"flood\"",
            "benefits[1].event",
        ),
        (
            "\"max_decile\": 4",
            "\"max_decile\": 11",
            "eligibility.max_decile",
        ),
        (
            "\"percent_bp\": 1250",
            "\"percent_bp\": 12500",
            "lpa_fee[0].percent_bp",
        ),
        (
            "\"declared_wage\": 1000000",
            "\"declared_wage\": null",
            "benefits[2].amount",
        ),
        (
            "\"role\": \"main_earner\"",
            "\"role\": \"boss\"",
            "eligibility.role",
        ),
    ];
    for (from, to, place) in cases {
        assert!(good.contains(from), "{from}");
        let e = Product::parse(&good.replacen(from, to, 1)).unwrap_err();
        assert_eq!(e.place, place, "{e}");
    }
    let e = Product::parse(&good.replacen("\"caps\"", "\"capz\"", 1)).unwrap_err();
    assert!(e.reason.contains("unknown field"), "{e}");
}

#[test]
fn eligibility_explains_every_criterion() {
    let p = product("askesos_ni");
    let facts = PersonFacts {
        birth_date: d("1980-05-01"),
        marital_status: "married".into(),
        relation: "head".into(),
        working: true,
        employment_status: Some("casual".into()),
        exit_state: None,
        household_exit_state: None,
        national_decile: Some(2),
        head_working: true,
    };
    let on = d("2013-01-01");
    let ok = eligibility::check(&p, &facts, on);
    assert!(ok.iter().all(|c| c.passed), "{ok:?}");
    assert_eq!(eligibility::refusal(&ok), None);
    let refused = |f: PersonFacts| eligibility::refusal(&eligibility::check(&p, &f, on)).unwrap();
    // 56 on the day: over the age limit.
    let old = refused(PersonFacts {
        birth_date: d("1956-12-31"),
        ..facts.clone()
    });
    assert!(old.starts_with("age: umur 56 tahun"), "{old}");
    // 17 and married: marriage stands in for the lower bound; 17 and single does not.
    let young = PersonFacts {
        birth_date: d("1995-06-01"),
        ..facts.clone()
    };
    assert!(eligibility::refusal(&eligibility::check(&p, &young, on)).is_none());
    assert!(refused(PersonFacts {
        marital_status: "single".into(),
        ..young
    })
    .contains("belum kawin"));
    assert!(refused(PersonFacts {
        employment_status: Some("employee".into()),
        ..facts.clone()
    })
    .starts_with("informal_work:"));
    assert!(refused(PersonFacts {
        national_decile: Some(5),
        ..facts.clone()
    })
    .contains("desil nasional 5 di atas batas 4"));
    // A working spouse is the main earner only when the head does not work.
    let spouse = PersonFacts {
        relation: "spouse".into(),
        ..facts.clone()
    };
    assert!(refused(spouse.clone()).starts_with("role:"));
    assert!(eligibility::refusal(&eligibility::check(
        &p,
        &PersonFacts {
            head_working: false,
            ..spouse.clone()
        },
        on
    ))
    .is_none());
    // The reform asks for the head of the family and takes decile 5 (near-poor).
    let reform = product("askesos_reform");
    let r = eligibility::check(
        &reform,
        &PersonFacts {
            national_decile: Some(5),
            head_working: false,
            ..spouse
        },
        on,
    );
    assert_eq!(
        r.iter()
            .filter(|c| !c.passed)
            .map(|c| c.criterion)
            .collect::<Vec<_>>(),
        ["role"]
    );
    assert!(refused(PersonFacts {
        exit_state: Some("deceased".into()),
        ..facts.clone()
    })
    .contains("deceased"));
    assert_eq!(
        eligibility::age_out_date(&p, d("1960-02-29")),
        d("2016-02-29")
    );
}

#[test]
fn old_scheme_year_of_savings_lapse_reinstatement_and_claims() {
    let p = product("askesos_2003");
    let start = d("2005-03-10");
    let mut book = Vec::new();
    // A year of monthly savings, each on its due day.
    for k in 1..=12 {
        let due = due_date(start, k).to_string();
        try_pay(
            &p,
            start,
            &mut book,
            req(&due, 1, 5_000, Payer::Member, false),
        )
        .unwrap();
    }
    let l = evaluate(&p, start, &book, d("2006-03-01"));
    assert_eq!((l.months_due, l.member_months_paid), (12, 12));
    assert_eq!(l.status, CoverStatus::SelfPaying);
    // Month 13 (due 10/03/2006) unpaid: in arrears during the 30 days of grace,
    // lapsed from 10/04/2006.
    assert_eq!(
        evaluate(&p, start, &book, d("2006-04-09")).status,
        CoverStatus::InArrears
    );
    let lapsed = evaluate(&p, start, &book, d("2006-04-10"));
    assert_eq!(lapsed.status, CoverStatus::Lapsed);
    assert_eq!(lapsed.lapsed_since, Some(d("2006-04-10")));
    // A plain payment on a lapsed policy is refused; a reinstatement must clear the
    // arrears (months 13–15 by 15/05/2006: Rp 15.000).
    let e = try_pay(
        &p,
        start,
        &mut book,
        req("2006-05-15", 1, 5_000, Payer::Member, false),
    )
    .unwrap_err();
    assert_eq!(e.0, "reinstate");
    assert!(e.1.contains("tunggakan 3 bulan (Rp 15.000)"), "{}", e.1);
    let e = try_pay(
        &p,
        start,
        &mut book,
        req("2006-05-15", 2, 10_000, Payer::Member, true),
    )
    .unwrap_err();
    assert_eq!(e.0, "months");
    let e = try_pay(
        &p,
        start,
        &mut book,
        req("2006-05-15", 3, 14_000, Payer::Member, true),
    )
    .unwrap_err();
    assert_eq!(e.0, "amount");
    try_pay(
        &p,
        start,
        &mut book,
        req("2006-05-15", 3, 15_000, Payer::Member, true),
    )
    .unwrap();
    let l = evaluate(&p, start, &book, d("2006-05-20"));
    assert_eq!(l.status, CoverStatus::SelfPaying);
    assert_eq!(l.gaps, vec![(d("2006-04-10"), d("2006-05-15"))]);
    assert!(!l.covers(d("2006-04-20")) && l.covers(d("2006-05-15")) && l.covers(d("2006-04-09")));
    // Reinstating a policy that is not lapsed is refused, and so is a payment dated
    // before the last one.
    assert_eq!(
        try_pay(
            &p,
            start,
            &mut book,
            req("2006-06-01", 1, 5_000, Payer::Member, true)
        )
        .unwrap_err()
        .0,
        "reinstate"
    );
    assert_eq!(
        try_pay(
            &p,
            start,
            &mut book,
            req("2006-05-01", 1, 5_000, Payer::Member, false)
        )
        .unwrap_err()
        .0,
        "paid_on"
    );

    // Claims: illness of 5–10 days or an accident, Rp 250.000, at most 3 together.
    let h = heirs();
    let mut prior: Vec<PriorClaim> = Vec::new();
    let mut ill = claim(Event::Illness, "2005-06-01", "2005-06-20", MEMBER);
    ill.illness_days = Some(11);
    let e = assess(&p, &insured(&l, &h, &prior), &ill).unwrap_err();
    assert_eq!(e.0, "illness_days");
    ill.illness_days = Some(7);
    let a = assess(&p, &insured(&l, &h, &prior), &ill).unwrap();
    assert_eq!((a.amount, a.sla_working_days), (Rupiah(250_000), 14));
    prior.push(PriorClaim {
        event: Event::Illness,
        state: ClaimState::Paid,
    });
    let acc = claim(Event::Accident, "2005-09-01", "2005-09-02", MEMBER);
    assert_eq!(
        assess(&p, &insured(&l, &h, &prior), &acc).unwrap().amount,
        Rupiah(250_000)
    );
    prior.push(PriorClaim {
        event: Event::Accident,
        state: ClaimState::Paid,
    });
    // A rejected claim does not count against the cap.
    prior.push(PriorClaim {
        event: Event::Illness,
        state: ClaimState::Rejected,
    });
    prior.push(PriorClaim {
        event: Event::Illness,
        state: ClaimState::Approved,
    });
    let e = assess(&p, &insured(&l, &h, &prior), &ill).unwrap_err();
    assert_eq!(e.0, "event");
    assert!(e.1.contains("paling banyak 3 kali"), "{}", e.1);
    // An event inside the lapse is not covered, even after reinstatement.
    let mut in_gap = claim(Event::Accident, "2006-04-20", "2006-05-20", MEMBER);
    in_gap.illness_days = None;
    assert_eq!(
        assess(&p, &insured(&l, &h, &[]), &in_gap).unwrap_err().0,
        "event_date"
    );
    // Death by membership year: Rp 400.000 / 600.000 / 800.000, and 800.000 after.
    for (day, amount) in [
        ("2005-12-01", 400_000),
        ("2006-06-01", 600_000),
        ("2008-01-01", 800_000),
    ] {
        let later = evaluate(&p, start, &fully_paid(&p, start, d(day)), d(day));
        let c = claim(Event::Death, day, day, HEIR);
        let a = assess(&p, &insured(&later, &h, &[]), &c).unwrap();
        assert_eq!(a.amount, Rupiah(amount), "{day}");
    }
    // Someone who is not a recorded heir cannot claim the death benefit.
    let c = claim(Event::Death, "2005-12-01", "2005-12-02", "3201010101990009");
    assert_eq!(
        assess(&p, &insured(&l, &h, &[]), &c).unwrap_err().0,
        "claimant_nik"
    );
    // The old scheme pays nothing for dentures.
    let c = claim(Event::Dentures, "2005-12-01", "2005-12-02", MEMBER);
    assert_eq!(
        assess(&p, &insured(&l, &h, &[]), &c).unwrap_err().0,
        "event"
    );
}

/// Every member month paid on its due day up to `until`.
fn fully_paid(p: &Product, start: Date, until: Date) -> Vec<PaymentEntry> {
    let s = p.subsidy_months();
    (s + 1..)
        .map(|k| due_date(start, k))
        .take_while(|due| *due <= until)
        .map(|due| PaymentEntry {
            paid_on: due,
            months: 1,
            amount: p.contribution.monthly_amount,
            payer: Payer::Member,
        })
        .collect()
}

#[test]
fn new_initiative_subsidy_year_then_self_paying_and_claims() {
    let p = product("askesos_ni");
    let start = d("2013-01-01");
    let mut book = Vec::new();
    // The government's premium for 12 months (Rp 10.400 × 12 = Rp 124.800), paid in two
    // instalments; a thirteenth subsidised month is refused.
    try_pay(
        &p,
        start,
        &mut book,
        req("2013-01-05", 6, 62_400, Payer::Subsidy, false),
    )
    .unwrap();
    try_pay(
        &p,
        start,
        &mut book,
        req("2013-07-05", 6, 62_400, Payer::Subsidy, false),
    )
    .unwrap();
    assert_eq!(
        try_pay(
            &p,
            start,
            &mut book,
            req("2013-08-01", 1, 10_400, Payer::Subsidy, false)
        )
        .unwrap_err()
        .0,
        "months"
    );
    let l = evaluate(&p, start, &book, d("2013-12-31"));
    assert_eq!(l.status, CoverStatus::Subsidised);
    assert_eq!((l.subsidy_months_paid, l.arrears_months), (12, 0));
    // Unpaid subsidy months never lapse the member.
    assert_eq!(
        evaluate(&p, start, &[], d("2013-12-31")).status,
        CoverStatus::Subsidised
    );
    // Month 13 falls due on 01/01/2014: the member pays it himself.
    try_pay(
        &p,
        start,
        &mut book,
        req("2014-01-03", 1, 10_400, Payer::Member, false),
    )
    .unwrap();
    assert_eq!(
        evaluate(&p, start, &book, d("2014-01-20")).status,
        CoverStatus::SelfPaying
    );
    // Month 14 (01/02/2014) unpaid: lapsed from 04/03/2014 (30 days of grace).
    let lapsed = evaluate(&p, start, &book, d("2014-03-04"));
    assert_eq!(lapsed.lapsed_since, Some(d("2014-03-04")));
    // Too late to reinstate after 180 days.
    assert!(try_pay(
        &p,
        start,
        &mut book.clone(),
        req("2014-09-01", 8, 83_200, Payer::Member, true)
    )
    .unwrap_err()
    .1
    .contains("batas pemulihan"));
    // The LPA pays the arrears (months 14–15 by 10/03/2014) to reinstate.
    try_pay(
        &p,
        start,
        &mut book,
        req("2014-03-10", 2, 20_800, Payer::Lpa, true),
    )
    .unwrap();
    let l = evaluate(&p, start, &book, d("2014-03-10"));
    assert_eq!(l.status, CoverStatus::SelfPaying);
    assert_eq!(l.gaps, vec![(d("2014-03-04"), d("2014-03-10"))]);

    let h = heirs();
    let m = insured(&l, &h, &[]);
    // Work accident treatment up to Rp 20.000.000, at the occupation of enrolment or
    // commuting only.
    let mut acc = claim(Event::Accident, "2013-05-01", "2013-05-03", MEMBER);
    acc.cost = Some(Rupiah(25_000_000));
    assert_eq!(assess(&p, &m, &acc).unwrap_err().0, "activity");
    acc.activity = Activity::Work;
    acc.occupation = Some("buruh_bangunan".into());
    let e = assess(&p, &m, &acc).unwrap_err();
    assert_eq!(e.0, "occupation");
    assert!(e.1.contains("tukang_ojek"), "{}", e.1);
    acc.occupation = Some("tukang_ojek".into());
    assert_eq!(assess(&p, &m, &acc).unwrap().amount, Rupiah(20_000_000));
    acc.activity = Activity::Commute;
    acc.occupation = None;
    acc.cost = Some(Rupiah(3_250_000));
    assert_eq!(assess(&p, &m, &acc).unwrap().amount, Rupiah(3_250_000));
    acc.cost = None;
    assert_eq!(assess(&p, &m, &acc).unwrap_err().0, "cost");
    // Dentures up to Rp 2.000.000.
    let mut dent = claim(Event::Dentures, "2013-05-01", "2013-05-03", MEMBER);
    dent.activity = Activity::Work;
    dent.cost = Some(Rupiah(2_400_000));
    assert_eq!(assess(&p, &m, &dent).unwrap().amount, Rupiah(2_000_000));
    // Partial disability: 70 % × 80 months × Rp 1.000.000 = Rp 56.000.000.
    let mut dis = claim(Event::PartialDisability, "2013-05-01", "2013-05-03", MEMBER);
    dis.activity = Activity::Commute;
    let a = assess(&p, &m, &dis).unwrap();
    assert_eq!(a.amount, Rupiah(56_000_000));
    assert_eq!(a.basis, "70,00 % × 80 bulan × upah Rp 1.000.000");
    // Death from any cause Rp 21.000.000, from a work accident Rp 48.000.000; paid to
    // the heirs within 3 working days.
    let death = claim(Event::Death, "2014-03-20", "2014-03-21", HEIR);
    let a = assess(&p, &m, &death).unwrap();
    assert_eq!((a.amount, a.sla_working_days), (Rupiah(21_000_000), 3));
    let mut wd = claim(Event::DeathWorkAccident, "2014-03-20", "2014-03-21", HEIR);
    wd.activity = Activity::Work;
    assert_eq!(assess(&p, &m, &wd).unwrap().amount, Rupiah(48_000_000));
    // A second death claim is refused; a death during the lapse is not covered.
    let prior = [PriorClaim {
        event: Event::Death,
        state: ClaimState::Received,
    }];
    assert_eq!(
        assess(&p, &insured(&l, &h, &prior), &death).unwrap_err().0,
        "event"
    );
    let gap_death = claim(Event::Death, "2014-03-05", "2014-03-21", HEIR);
    assert_eq!(assess(&p, &m, &gap_death).unwrap_err().0, "event_date");
    // Illness is not an NI benefit; a claim before cover or after the deadline is refused.
    let ill = claim(Event::Illness, "2013-05-01", "2013-05-03", MEMBER);
    assert_eq!(assess(&p, &m, &ill).unwrap_err().0, "event");
    let early = claim(Event::Death, "2012-12-31", "2013-01-02", HEIR);
    assert_eq!(assess(&p, &m, &early).unwrap_err().0, "event_date");
    let late = claim(Event::Death, "2013-03-01", "2014-03-05", HEIR);
    assert_eq!(assess(&p, &m, &late).unwrap_err().0, "filed_on");
    // After the membership ended (cancelled), no cover; the day of a death that ended it
    // is still claimable.
    let ended = Insured {
        ended: Some((d("2014-03-20"), EndReason::Death)),
        ..insured(&l, &h, &[])
    };
    assert!(assess(&p, &ended, &death).is_ok());
    let cancelled = Insured {
        ended: Some((d("2014-03-20"), EndReason::AgeOut)),
        ..insured(&l, &h, &[])
    };
    assert_eq!(assess(&p, &cancelled, &death).unwrap_err().0, "event_date");
}

#[test]
fn reform_three_subsidised_years_and_claims() {
    let p = product("askesos_reform");
    let start = d("2016-01-01");
    let book = fully_paid(&p, start, d("2019-06-30"));
    let l = evaluate(&p, start, &book, d("2018-12-31"));
    assert_eq!(l.status, CoverStatus::Subsidised);
    let l = evaluate(&p, start, &book, d("2019-06-30"));
    assert_eq!(
        (l.status, l.member_months_paid),
        (CoverStatus::SelfPaying, 6)
    );
    let h = heirs();
    let m = insured(&l, &h, &[]);
    let mut acc = claim(Event::Accident, "2019-02-01", "2019-02-02", MEMBER);
    acc.activity = Activity::Work;
    acc.cost = Some(Rupiah(12_000_000));
    assert_eq!(assess(&p, &m, &acc).unwrap().amount, Rupiah(10_000_000));
    let death = claim(Event::Death, "2019-02-01", "2019-02-02", HEIR);
    assert_eq!(assess(&p, &m, &death).unwrap().amount, Rupiah(10_500_000));
    let mut wd = claim(Event::DeathWorkAccident, "2019-02-01", "2019-02-02", HEIR);
    wd.activity = Activity::Commute;
    assert_eq!(assess(&p, &m, &wd).unwrap().amount, Rupiah(24_000_000));
    let dent = claim(Event::Dentures, "2019-02-01", "2019-02-02", MEMBER);
    assert_eq!(assess(&p, &m, &dent).unwrap_err().0, "event");

    // After the three subsidised years: month 37 (01/01/2019) paid, month 38 not —
    // lapsed from 04/03/2019; reinstated on 10/04/2019 by paying months 38–40.
    let mut book = Vec::new();
    try_pay(
        &p,
        start,
        &mut book,
        req("2019-01-02", 1, 10_400, Payer::Member, false),
    )
    .unwrap();
    assert_eq!(
        evaluate(&p, start, &book, d("2019-03-03")).status,
        CoverStatus::InArrears
    );
    let l = evaluate(&p, start, &book, d("2019-03-04"));
    assert_eq!((l.status, l.arrears_months), (CoverStatus::Lapsed, 2));
    let e = try_pay(
        &p,
        start,
        &mut book,
        req("2019-04-10", 2, 20_800, Payer::Member, true),
    )
    .unwrap_err();
    assert_eq!(e.0, "months");
    try_pay(
        &p,
        start,
        &mut book,
        req("2019-04-10", 3, 31_200, Payer::Member, true),
    )
    .unwrap();
    let l = evaluate(&p, start, &book, d("2019-04-10"));
    assert_eq!(l.status, CoverStatus::SelfPaying);
    assert_eq!(l.gaps, vec![(d("2019-03-04"), d("2019-04-10"))]);
    let in_gap = claim(Event::Death, "2019-03-20", "2019-03-21", HEIR);
    assert_eq!(
        assess(&p, &insured(&l, &h, &[]), &in_gap).unwrap_err().0,
        "event_date"
    );
}

#[test]
fn claim_life_cycle_and_service_level() {
    use ClaimAction as A;
    use ClaimState as S;
    assert_eq!(next_state(S::Received, A::Verify), Some(S::Verified));
    assert_eq!(next_state(S::Received, A::Approve), None);
    assert_eq!(next_state(S::Verified, A::Approve), Some(S::Approved));
    assert_eq!(next_state(S::Approved, A::Pay), Some(S::Paid));
    assert_eq!(next_state(S::Paid, A::Reject), None);
    assert_eq!(next_state(S::Rejected, A::Pay), None);
    // A death claim complete on Friday 25/07/2014 before Idul Fitri (28–29 July, and
    // joint leave on 30–31 July and 1 August in the shipped calendar) is due after three
    // working days.
    let c = Calendar::shipped();
    let due = c.add_working_days(d("2014-07-25"), 3);
    assert!(due > d("2014-07-30"), "{due}");
    assert_eq!(c.working_days_between(d("2014-07-25"), due), 3);
    let p = product("askesos_2003");
    assert_eq!(
        missing_documents(&p, Event::Death, &["akta_kematian".into()]),
        ["kartu_peserta", "ktp_ahli_waris", "kartu_keluarga"]
    );
}

#[test]
fn reports_reproduce_hand_computed_figures() {
    // Five NI members of LPA 1 whose subsidy ended; two of them still pay (one in its
    // grace period); one of the others lapsed, one was cancelled, one lapsed too.
    // LPA 2: one subsidised member, card not delivered.
    let row = |g: &str, ended: bool, status, card, sub_ended| MemberRow {
        group: g.into(),
        ended,
        status,
        card_delivered: card,
        subsidy_ended: sub_ended,
    };
    use CoverStatus::*;
    let rows = vec![
        row("1", false, SelfPaying, true, true),
        row("1", false, InArrears, true, true),
        row("1", false, Lapsed, false, true),
        row("1", true, Lapsed, true, true),
        row("1", false, Lapsed, true, true),
        row("2", false, Subsidised, false, false),
    ];
    let counts = member_counts(&rows);
    assert_eq!(
        counts[0],
        MemberCounts {
            group: "1".into(),
            members: 5,
            subsidised: 0,
            self_paying: 1,
            in_arrears: 1,
            lapsed: 2,
            ended: 1,
            cards_delivered: 4,
            cards_not_delivered: 1,
        }
    );
    assert_eq!(
        (counts[1].subsidised, counts[1].cards_not_delivered),
        (1, 1)
    );
    let r = retention(&rows);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].subsidy_ended, r[0].still_paying, r[0].permille),
        (5, 2, 400)
    );
    // Gunung Mas: 600 → 253 is 42,2 %.
    assert_eq!(permille(253, 600), 422);

    // Money: LPA 1 received 12 subsidised months in 2013 (Rp 124.800, fee 12,5 % =
    // Rp 15.600) and 12 in 2014 at 7,5 % (Rp 9.360); the member paid Rp 20.800 in 2014;
    // one death claim paid in 2014 (Rp 21.000.000) within its due day, one accident paid
    // two days late.
    let p = product("askesos_ni");
    let mut pays = Vec::new();
    for (year, n) in [(2013, 12), (2014, 12)] {
        for m in 1..=n {
            let on = Date::from_ymd(year, m, 5).unwrap();
            pays.push(PaymentRow {
                group: "1".into(),
                paid_on: on,
                amount: Rupiah(10_400),
                payer: Payer::Subsidy,
                fee_bp: p.fee_bp_on(on),
            });
        }
    }
    pays.push(PaymentRow {
        group: "1".into(),
        paid_on: d("2014-02-01"),
        amount: Rupiah(20_800),
        payer: Payer::Member,
        fee_bp: 0,
    });
    let claims = vec![
        ClaimRow {
            group: "1".into(),
            state: ClaimState::Paid,
            amount: Some(Rupiah(21_000_000)),
            complete_on: Some(d("2014-03-03")),
            due_on: Some(d("2014-03-06")),
            paid_on: Some(d("2014-03-05")),
        },
        ClaimRow {
            group: "1".into(),
            state: ClaimState::Paid,
            amount: Some(Rupiah(1_500_000)),
            complete_on: Some(d("2014-04-01")),
            due_on: Some(d("2014-04-21")),
            paid_on: Some(d("2014-04-23")),
        },
        ClaimRow {
            group: "1".into(),
            state: ClaimState::Approved,
            amount: Some(Rupiah(2_000_000)),
            complete_on: Some(d("2014-11-03")),
            due_on: Some(d("2014-11-21")),
            paid_on: None,
        },
    ];
    let m = money(&pays, &claims, d("2013-01-01"), d("2014-12-31"));
    assert_eq!(m.len(), 2);
    assert_eq!(
        (m[0].year, m[0].subsidy, m[0].lpa_fees),
        (2013, Rupiah(124_800), Rupiah(15_600))
    );
    assert_eq!(m[0].claims_paid, 0);
    assert_eq!(
        (
            m[1].subsidy,
            m[1].member_contributions,
            m[1].total_in,
            m[1].lpa_fees
        ),
        (
            Rupiah(124_800),
            Rupiah(20_800),
            Rupiah(145_600),
            Rupiah(9_360)
        )
    );
    assert_eq!(
        (m[1].claims_paid, m[1].claims_paid_amount),
        (2, Rupiah(22_500_000))
    );
    // 22.500.000 / 145.600 = 15453,3 % → 154533 tenths.
    assert_eq!(m[1].claims_permille, Some(154_533));
    // Claims paid in a year without money in: no ratio rather than 0 %.
    let only_claims = money(&[], &claims, d("2014-01-01"), d("2014-12-31"));
    assert_eq!(only_claims[0].claims_permille, None);
    let late = lateness(&claims, d("2014-01-01"), d("2014-12-31"));
    assert_eq!(
        late,
        vec![Lateness {
            group: "1".into(),
            paid: 2,
            paid_late: 1,
            open_overdue: 1,
        }]
    );
    // Looking from 2014-11-30, the approved claim due 21/11 is overdue.
    let late = lateness(&claims, d("2014-11-01"), d("2014-11-30"));
    assert_eq!((late[0].paid, late[0].open_overdue), (0, 1));
}
