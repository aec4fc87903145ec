# Selaras: page text in English. Exactly the keys of id/main.ftl (tested).

## base.html: header, menu, footer
base-skip = Skip to content
base-brand = Integrated Social Service and Referral System
base-menu = Main menu
base-account = Account
base-language = Language
base-nav-search = Search
base-nav-cases = Cases
base-nav-dashboard = Dashboard
base-nav-indicators = Indicators
base-nav-programs = Programs
base-nav-eligibility = Eligibility
base-sign-out = Sign out
base-status = Check a case's status
base-regions-data = region data: idn-area-data (ODbL)
base-national = National

## errors and messages
message-home = Back to the start page
message-not-found = Not found
message-forbidden = Not allowed
message-unprocessable = Cannot be processed
message-page-not-found = Page not found.

## login.html
login-title = Sign in
login-username = Username
login-password = Password
login-submit = Sign in
login-expired = The form has expired; please try again.
login-wrong = Wrong username or password.

## search.html
search-title = Find a household
search-intro = By NIK, family card (KK) number (16 digits) or name, in { $scope }.
search-q = NIK / KK number / name
search-submit = Search
search-none = No household in your region matches.
search-register = Register a new household
search-results = { $n } results
search-col-household = Household
search-col-head = Head
search-col-match = Match
search-col-members = Members
search-col-region = Region
search-unregistered = Family not registered yet?
search-record-registration = Record a new registration
search-cases-visits = Cases and visits
search-no-personal = Your role cannot see personal data; use the monitoring pages.
search-too-short = Type at least 3 characters.

## household.html
hh-title = Household
hh-exit = Left
hh-version = Version
hh-since = since
hh-by = by
hh-by-col = By
hh-open-cases = Open cases
hh-no-open-cases = No open cases.
hh-record-case = Record a case for this household
hh-visits = Visits
hh-no-visits = No visits recorded yet.
hh-visit-date = Date of visit
hh-visit-purpose = Purpose
hh-visit-note = Visit note
hh-visit-submit = Record visit
hh-ranking = PMT ranking
hh-why-score = Why this score: what each model variable adds
hh-col-variable = Variable
hh-col-value = Household's value
hh-col-contribution = Adds to the score
hh-score-rounded = Score (rounded to 6 decimals)
hh-editions = Ranking editions
hh-col-edition = Edition
hh-col-model = Model
hh-col-data-as-of = Data as of
hh-col-score = Score
hh-col-decile-national = National decile
hh-col-decile-province = Province decile
hh-col-decile-regency = Regency/city decile
hh-no-edition = No ranking edition includes this household yet.
hh-programs = Programs
hh-programs-caption = Eligibility under the program catalogue's rules and the newest ranking
hh-col-program = Program
hh-col-eligibility = Eligibility
hh-col-enrolment = Enrolment
hh-col-quota = Quota
hh-col-reason = Reason
hh-members = Household members
hh-col-kk = KK number
hh-col-name = Name
hh-col-relation = Relation
hh-col-sex = M/F
hh-col-birth-date = Date of birth
hh-col-age = Age
hh-col-education = Education
hh-col-working = Working
hh-housing = Housing
hh-assets = Assets
hh-history = Version history
hh-col-subject = Subject
hh-col-valid-from = Valid from
hh-col-valid-to = Until
hh-col-changed = Fields changed

## shared by case lists
case-due = due

## status.html (public, no sign-in)
status-title = Case status
status-intro = Enter the case number from the SLRT letter or message and the NIK of one family member.
status-case-number = Case number
status-submit = Show status
status-next-step = Next step
case-escalated-to = escalated to

## cases.html
cases-title = SLRT cases
cases-intro = Complaints, program needs, data changes and new registrations in your region.
cases-new = Record a new case
cases-queue = Waiting for you (soonest due first)
cases-queue-empty = No case is waiting for you.
cases-overdue = Overdue and escalated
cases-overdue-empty = No case is overdue.
cases-my-visits = My visits
cases-my-visits-empty = No visits recorded yet. Record a visit from a household page.
cases-all = All cases you may see
cases-filter-status = Status
cases-filter-any = any
cases-filter-kind = Kind
cases-filter-region = Region
cases-filter-region-code = region code
cases-filter-submit = Filter
cases-download = Download
cases-download-visits = visits
cases-none = No cases yet.
cases-previous = Previous
cases-next = Next

## case.html
case-back = Cases
case-overdue = overdue
case-category = Category
case-description = Description
case-household = Household
case-unregistered = not registered yet
case-region = Region
case-channel = Channel
case-contact = Family's phone
case-recorded = Recorded
case-updated = Last changed
case-due-at = Due
case-referred-to = Referred to
case-level = level
case-applied-change = Registry change
case-change-number = number
case-letter = Download the referral letter (PDF)
case-linked = Already registered
case-linked-intro = These people are already in the registry; the registration will link them, not copy them.
case-proposed = Proposed data
case-member = Member { $n }
case-actions = Actions
case-note = Note
case-note-required = required for:
case-note-feedback = feedback to the family when closing
case-refer-program = Program to refer to
case-history = Timeline
case-history-empty = No action yet; the case is still a draft.
case-messages = Messages to the family
case-messages-empty = No messages yet.
case-by-staff = (delivered by staff)
case-level-central = central
case-level-province = province
case-level-regency = regency/city
case-level-non-government = non-government

## case_new.html and field.html
case-new-title = Record a new case
case-new-kind = Case kind
case-new-category-hint = for a need: the program asked for
case-new-household-id = Household ID
case-new-or-nik = or a member's NIK
case-new-registration-hint = To register a new household, leave both empty and fill in the proposed data below.
case-new-description = Description of the complaint or need
case-new-contact = Family's phone number
case-new-contact-hint = for status messages
case-new-proposed = Proposed data — for data changes and new registrations
case-new-proposed-hint = Data change: fill in only what changed. New registration: fill in everything marked *; yes/no questions left empty count as "no".
case-new-member-first = (give a NIK to include them)
case-new-save = Save as draft
case-new-household-data = Household data
case-new-not-found = No household or NIK found in your region.
field-yes = yes
field-no = no
status-no-match = The case number and NIK match no case.
status-nik-digits = A NIK has 16 digits.
