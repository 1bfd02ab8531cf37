//! The seeded, deterministic estate: tenants, the partner's apps, and per-tenant Exchange objects
//! (mailboxes, groups, contacts, permissions, folders, mobile devices).
//!
//! Nothing is pre-generated per mailbox: every object is a pure function of
//! (seed, tenant index, object index), cheap enough to compute on every request. Writes are kept
//! as small per-tenant overrides. Identity lookups use a lazily built hash index per tenant.

use crate::json::{Record, V};
use crate::rng::{self, h, SplitMix64};
use once_cell::sync::OnceCell;
use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::RwLock;

pub const FIRST: &[&str] = &[
    "Adele",
    "Alex",
    "Allan",
    "Bianca",
    "Brian",
    "Camille",
    "Christie",
    "Daniel",
    "Debra",
    "Diego",
    "Emily",
    "Enrico",
    "Fatima",
    "Grady",
    "Hanna",
    "Henrietta",
    "Irvin",
    "Isaiah",
    "Johanna",
    "Joni",
    "Kenji",
    "Lee",
    "Lidia",
    "Lynne",
    "Megan",
    "Miriam",
    "Nestor",
    "Noor",
    "Olga",
    "Patti",
    "Pradeep",
    "Quentin",
    "Rosa",
    "Sakura",
    "Tomas",
    "Ursula",
    "Vikram",
    "Wei",
    "Yasmin",
    "Zoe",
];
pub const LAST: &[&str] = &[
    "Vance",
    "Wilber",
    "Deyoung",
    "Pai",
    "Johnson",
    "Dubois",
    "Cline",
    "Novak",
    "Berg",
    "Soto",
    "Braun",
    "Rossi",
    "Haddad",
    "Archie",
    "Moreno",
    "Gonzales",
    "Mueller",
    "Holt",
    "Lauer",
    "Sherman",
    "Tanaka",
    "Gu",
    "Holloway",
    "Valdez",
    "Bowen",
    "Caldwell",
    "Wilke",
    "Khan",
    "Petrova",
    "Fernandez",
    "Gupta",
    "Lefebvre",
    "Silva",
    "Ito",
    "Svoboda",
    "Larsen",
    "Rao",
    "Zhang",
    "Nasser",
    "Keller",
];
const COMPANIES: &[&str] = &[
    "fabrikam",
    "contoso",
    "northwind",
    "tailspin",
    "woodgrove",
    "litware",
    "adatum",
    "proseware",
    "wingtip",
    "fourthcoffee",
    "alpineski",
    "relecloud",
    "lucerne",
    "cohowinery",
    "wideworld",
    "treyresearch",
    "humongous",
    "blueyonder",
    "graphicdesign",
    "margiestravel",
];
const SHARED_WORDS: &[&str] = &[
    "Sales",
    "Support",
    "Info",
    "Billing",
    "HR",
    "Marketing",
    "Reception",
    "Finance",
    "Helpdesk",
    "Orders",
];
const ROOM_WORDS: &[&str] = &[
    "Aurora", "Boreal", "Cedar", "Delta", "Everest", "Fjord", "Granite", "Harbor", "Iris",
    "Juniper",
];
const EQUIP_WORDS: &[&str] = &["Projector", "Van", "Camera", "Laptop", "Podium"];
const GROUP_WORDS: &[&str] = &[
    "All Staff",
    "Sales Team",
    "Finance",
    "Marketing",
    "Engineering",
    "Operations",
    "Leadership",
    "IT Admins",
    "Project Phoenix",
    "Social Club",
];
const REGIONS: &[&str] = &["EURPR", "NAMPR", "APCPR", "GBRPR", "AUSPR"];

/// Locales: culture, UsageLocation, folder names
/// [Inbox, Sent Items, Deleted Items, Drafts, Junk Email, Calendar, Contacts, Tasks, Birthdays].
pub struct Locale {
    pub culture: &'static str,
    pub country: &'static str,
    pub names: [&'static str; 9],
}
pub const LOCALES: &[Locale] = &[
    Locale {
        culture: "en-US",
        country: "United States",
        names: [
            "Inbox",
            "Sent Items",
            "Deleted Items",
            "Drafts",
            "Junk Email",
            "Calendar",
            "Contacts",
            "Tasks",
            "Birthdays",
        ],
    },
    Locale {
        culture: "de-DE",
        country: "Germany",
        names: [
            "Posteingang",
            "Gesendete Elemente",
            "Gelöschte Elemente",
            "Entwürfe",
            "Junk-E-Mail",
            "Kalender",
            "Kontakte",
            "Aufgaben",
            "Geburtstage",
        ],
    },
    Locale {
        culture: "fr-FR",
        country: "France",
        names: [
            "Boîte de réception",
            "Éléments envoyés",
            "Éléments supprimés",
            "Brouillons",
            "Courrier indésirable",
            "Calendrier",
            "Contacts",
            "Tâches",
            "Anniversaires",
        ],
    },
    Locale {
        culture: "zh-CN",
        country: "China",
        names: [
            "收件箱",
            "已发送邮件",
            "已删除邮件",
            "草稿",
            "垃圾邮件",
            "日历",
            "联系人",
            "任务",
            "生日",
        ],
    },
    Locale {
        culture: "nl-NL",
        country: "Netherlands",
        names: [
            "Postvak IN",
            "Verzonden items",
            "Verwijderde items",
            "Concepten",
            "Ongewenste e-mail",
            "Agenda",
            "Contactpersonen",
            "Taken",
            "Verjaardagen",
        ],
    },
    Locale {
        culture: "es-ES",
        country: "Spain",
        names: [
            "Bandeja de entrada",
            "Elementos enviados",
            "Elementos eliminados",
            "Borradores",
            "Correo no deseado",
            "Calendario",
            "Contactos",
            "Tareas",
            "Cumpleaños",
        ],
    },
    Locale {
        culture: "it-IT",
        country: "Italy",
        names: [
            "Posta in arrivo",
            "Posta inviata",
            "Posta eliminata",
            "Bozze",
            "Posta indesiderata",
            "Calendario",
            "Contatti",
            "Attività",
            "Compleanni",
        ],
    },
    Locale {
        culture: "pt-BR",
        country: "Brazil",
        names: [
            "Caixa de Entrada",
            "Itens Enviados",
            "Itens Excluídos",
            "Rascunhos",
            "Lixo Eletrônico",
            "Calendário",
            "Contatos",
            "Tarefas",
            "Aniversários",
        ],
    },
    Locale {
        culture: "sv-SE",
        country: "Sweden",
        names: [
            "Inkorgen",
            "Skickat",
            "Borttaget",
            "Utkast",
            "Skräppost",
            "Kalender",
            "Kontakter",
            "Uppgifter",
            "Födelsedagar",
        ],
    },
    Locale {
        culture: "da-DK",
        country: "Denmark",
        names: [
            "Indbakke",
            "Sendt post",
            "Slettet post",
            "Kladder",
            "Uønsket mail",
            "Kalender",
            "Kontaktpersoner",
            "Opgaver",
            "Fødselsdage",
        ],
    },
    Locale {
        culture: "pl-PL",
        country: "Poland",
        names: [
            "Skrzynka odbiorcza",
            "Elementy wysłane",
            "Elementy usunięte",
            "Wersje robocze",
            "Wiadomości-śmieci",
            "Kalendarz",
            "Kontakty",
            "Zadania",
            "Urodziny",
        ],
    },
    Locale {
        culture: "ja-JP",
        country: "Japan",
        names: [
            "受信トレイ",
            "送信済みアイテム",
            "削除済みアイテム",
            "下書き",
            "迷惑メール",
            "予定表",
            "連絡先",
            "タスク",
            "誕生日",
        ],
    },
    Locale {
        culture: "ru-RU",
        country: "Russia",
        names: [
            "Входящие",
            "Отправленные",
            "Удаленные",
            "Черновики",
            "Нежелательная почта",
            "Календарь",
            "Контакты",
            "Задачи",
            "Дни рождения",
        ],
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialKind {
    MfaRequired,
    ConsentMissing,
    ConditionalAccess,
    AppMissing,
    NoExchange,
}

impl SpecialKind {
    pub const ALL: [SpecialKind; 5] = [
        SpecialKind::MfaRequired,
        SpecialKind::ConsentMissing,
        SpecialKind::ConditionalAccess,
        SpecialKind::AppMissing,
        SpecialKind::NoExchange,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SpecialKind::MfaRequired => "mfaRequired",
            SpecialKind::ConsentMissing => "consentMissing",
            SpecialKind::ConditionalAccess => "conditionalAccess",
            SpecialKind::AppMissing => "appMissing",
            SpecialKind::NoExchange => "noExchange",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantKind {
    Partner,
    Customer,
    Unrelated,
    Special(SpecialKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MbxKind {
    User,
    Shared,
    Room,
    Equipment,
}

impl MbxKind {
    pub fn details(self) -> &'static str {
        match self {
            MbxKind::User => "UserMailbox",
            MbxKind::Shared => "SharedMailbox",
            MbxKind::Room => "RoomMailbox",
            MbxKind::Equipment => "EquipmentMailbox",
        }
    }
}

/// Kinds of non-mailbox recipients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherKind {
    DistributionGroup,
    SecurityGroup,
    GroupMailbox,
    DynamicGroup,
    MailContact,
    GuestMailUser,
}

impl OtherKind {
    pub fn types(self) -> (&'static str, &'static str) {
        match self {
            OtherKind::DistributionGroup => (
                "MailUniversalDistributionGroup",
                "MailUniversalDistributionGroup",
            ),
            OtherKind::SecurityGroup => {
                ("MailUniversalSecurityGroup", "MailUniversalSecurityGroup")
            }
            OtherKind::GroupMailbox => ("MailUniversalDistributionGroup", "GroupMailbox"),
            OtherKind::DynamicGroup => ("DynamicDistributionGroup", "DynamicDistributionGroup"),
            OtherKind::MailContact => ("MailContact", "MailContact"),
            OtherKind::GuestMailUser => ("MailUser", "GuestMailUser"),
        }
    }
}

/// The cheap core of a mailbox.
#[derive(Clone, Debug)]
pub struct Mbx {
    pub i: usize,
    pub kind: MbxKind,
    pub alias: String,
    pub display: String,
    pub first: Option<&'static str>,
    pub last: Option<&'static str>,
    pub locale: usize,
    pub hh: u64,
}

/// Set-Mailbox changes.
#[derive(Clone, Debug, Default)]
pub struct MbxOverride {
    pub hidden: Option<bool>,
    pub custom: HashMap<u8, String>,
    pub forwarding_smtp: Option<Option<String>>,
    pub deliver_and_forward: Option<bool>,
    pub emails: Option<Vec<String>>,
    pub send_on_behalf: Option<Vec<String>>,
    pub when_changed: Option<u64>,
    /// Set-Mailbox -Type.
    pub kind: Option<MbxKind>,
    /// Set-Mailbox -ForwardingAddress: the recipient's name, or None when cleared.
    pub forwarding_address: Option<Option<String>>,
    pub lit_hold: Option<bool>,
    pub lit_hold_date: Option<u64>,
    /// Enable-Mailbox -Archive.
    pub archive: Option<bool>,
    pub archive_name: Option<String>,
    pub auto_expanding: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PermUser {
    Default,
    Anonymous,
    Recipient(usize),
}

#[derive(Clone, Debug)]
pub struct FolderPerm {
    pub user: PermUser,
    pub rights: Vec<String>,
    pub flags: Option<String>,
}

#[derive(Default)]
pub struct TenantState {
    pub mbx: HashMap<usize, MbxOverride>,
    /// Written properties of settings objects: (set name, object key) → properties.
    pub props: HashMap<(&'static str, String), Vec<(&'static str, V)>>,
    /// Group recipient → its full member list once written.
    pub members: HashMap<usize, Vec<usize>>,
    /// Mailbox → its full Get-MailboxPermission entry list once written.
    pub mbx_perms: HashMap<usize, Vec<Record>>,
    /// Mailbox → its full Get-RecipientPermission entry list once written.
    pub send_as: HashMap<usize, Vec<Record>>,
    /// (mailbox index, folder spec) → the full entry list once written.
    pub folder_perms: HashMap<(usize, u8), Vec<FolderPerm>>,
}

struct Lookup {
    single: HashMap<u64, u32>,
    multi: HashMap<u64, Vec<u32>>,
}

pub struct Tenant {
    pub idx: usize,
    pub id: String,
    pub domain: String,
    pub org_name: String,
    pub kind: TenantKind,
    pub n_mbx: usize,
    pub n_groups: usize,
    pub n_contacts: usize,
    pub ts: u64,
    pub forest: String,
    pub created: u64,
    ou: String,
    dn_suffix: String,
    mail_domain: String,
    /// InvokeCommand requests in flight (arrived, response not yet written), refused ones included.
    pub inflight: AtomicUsize,
    /// The admitted ones among them: what the `concurrency=N` limit counts.
    pub admitted: AtomicUsize,
    pub state: RwLock<TenantState>,
    lookup: OnceCell<Lookup>,
    name_off: (usize, usize),
    /// `--full-rows`: Get-Mailbox rows at the real service's width (~250 properties).
    pub full_width: bool,
}

pub struct Apps {
    pub application_id: String,
    pub client_secret: String,
    pub expired_client_secret: String,
    pub public_client_id: String,
}

pub struct Admin {
    pub upn: String,
    pub oid: String,
    pub name: String,
}

pub struct Estate {
    pub tenants: Vec<Tenant>,
    by_key: HashMap<String, usize>,
    pub n_customers: usize,
    pub apps: Apps,
    pub admin: Admin,
    pub refresh_token: String,
    pub public_refresh_token: String,
    pub expired_refresh_token: String,
}

pub const PARTNER: usize = 0;

impl Estate {
    pub fn new(seed: u64, customers: usize, mailboxes: usize) -> Estate {
        let mut tenants = Vec::new();
        let mut push = |kind: TenantKind, n: usize| {
            let idx = tenants.len();
            tenants.push(Tenant::new(seed, idx, kind, n));
        };
        push(TenantKind::Partner, mailboxes.min(10));
        for _ in 0..customers {
            push(TenantKind::Customer, mailboxes);
        }
        push(TenantKind::Unrelated, 5);
        for sk in SpecialKind::ALL {
            push(
                TenantKind::Special(sk),
                if sk == SpecialKind::NoExchange { 0 } else { 5 },
            );
        }
        let mut by_key = HashMap::new();
        for t in &tenants {
            by_key.insert(t.id.clone(), t.idx);
            by_key.insert(t.domain.to_ascii_lowercase(), t.idx);
        }
        let mut r = SplitMix64::new(h(&[seed, 0xA995]));
        let apps = Apps {
            application_id: rng::guid(r.next_u64(), r.next_u64()),
            client_secret: format!(
                "{}8Q~{}",
                rng::seeded_chars(&mut r, 3),
                rng::seeded_chars(&mut r, 34)
            )
            .replace('-', "."),
            expired_client_secret: format!(
                "{}7Q~{}",
                rng::seeded_chars(&mut r, 3),
                rng::seeded_chars(&mut r, 34)
            )
            .replace('-', "."),
            public_client_id: rng::guid(r.next_u64(), r.next_u64()),
        };
        let partner_domain = tenants[PARTNER].domain.clone();
        let admin = Admin {
            upn: format!("admin@{}", partner_domain),
            oid: rng::guid(r.next_u64(), r.next_u64()),
            name: "Partner Admin".into(),
        };
        let rt = |r: &mut SplitMix64| format!("0.AX{}", rng::seeded_chars(r, 220));
        let refresh_token = rt(&mut r);
        let public_refresh_token = rt(&mut r);
        let expired_refresh_token = rt(&mut r);
        Estate {
            tenants,
            by_key,
            n_customers: customers,
            apps,
            admin,
            refresh_token,
            public_refresh_token,
            expired_refresh_token,
        }
    }

    /// A tenant by GUID or domain (case-insensitive).
    pub fn tenant_index(&self, key: &str) -> Option<usize> {
        let k = key
            .trim()
            .trim_matches(|c| c == '{' || c == '}')
            .to_ascii_lowercase();
        self.by_key.get(&k).copied()
    }

    pub fn customers(&self) -> std::ops::Range<usize> {
        1..1 + self.n_customers
    }

    pub fn unrelated(&self) -> usize {
        1 + self.n_customers
    }

    pub fn special(&self, sk: SpecialKind) -> usize {
        self.tenants
            .iter()
            .position(|t| t.kind == TenantKind::Special(sk))
            .unwrap()
    }
}

fn fmt_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Exchange's ByteQuantifiedSize rendering: `1.234 GB (1,324,567,890 bytes)`.
pub fn fmt_size(bytes: u64) -> String {
    let units = [
        ("B", 1u64),
        ("KB", 1 << 10),
        ("MB", 1 << 20),
        ("GB", 1 << 30),
        ("TB", 1 << 40),
    ];
    let mut unit = units[0];
    for u in units {
        if bytes >= u.1 {
            unit = u;
        }
    }
    let num = if unit.1 == 1 {
        bytes.to_string()
    } else {
        let v = bytes as f64 / unit.1 as f64;
        let s = format!("{:.3}", v);
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        s
    };
    format!("{} {} ({} bytes)", num, unit.0, fmt_thousands(bytes))
}

/// Folder specs: (english name, parent spec or 255, FolderType, ContainerClass, locale name slot).
pub struct FolderSpec {
    pub key: u8,
    pub english: &'static str,
    pub parent: Option<u8>,
    pub ftype: &'static str,
    pub class: &'static str,
    pub loc_slot: Option<usize>,
}

pub const ROOT: u8 = 0;
pub const CALENDAR: u8 = 8;
pub const FOLDER_SPECS: &[FolderSpec] = &[
    FolderSpec {
        key: 0,
        english: "Top of Information Store",
        parent: None,
        ftype: "Root",
        class: "",
        loc_slot: None,
    },
    FolderSpec {
        key: 1,
        english: "Inbox",
        parent: Some(0),
        ftype: "Inbox",
        class: "IPF.Note",
        loc_slot: Some(0),
    },
    FolderSpec {
        key: 2,
        english: "Sent Items",
        parent: Some(0),
        ftype: "SentItems",
        class: "IPF.Note",
        loc_slot: Some(1),
    },
    FolderSpec {
        key: 3,
        english: "Deleted Items",
        parent: Some(0),
        ftype: "DeletedItems",
        class: "IPF.Note",
        loc_slot: Some(2),
    },
    FolderSpec {
        key: 4,
        english: "Drafts",
        parent: Some(0),
        ftype: "Drafts",
        class: "IPF.Note",
        loc_slot: Some(3),
    },
    FolderSpec {
        key: 5,
        english: "Junk Email",
        parent: Some(0),
        ftype: "JunkEmail",
        class: "IPF.Note",
        loc_slot: Some(4),
    },
    FolderSpec {
        key: 6,
        english: "Outbox",
        parent: Some(0),
        ftype: "Outbox",
        class: "IPF.Note",
        loc_slot: None,
    },
    FolderSpec {
        key: 7,
        english: "Archive",
        parent: Some(0),
        ftype: "Archive",
        class: "IPF.Note",
        loc_slot: None,
    },
    FolderSpec {
        key: 8,
        english: "Calendar",
        parent: Some(0),
        ftype: "Calendar",
        class: "IPF.Appointment",
        loc_slot: Some(5),
    },
    FolderSpec {
        key: 9,
        english: "Birthdays",
        parent: Some(8),
        ftype: "User Created",
        class: "IPF.Appointment.Birthday",
        loc_slot: Some(8),
    },
    FolderSpec {
        key: 10,
        english: "Contacts",
        parent: Some(0),
        ftype: "Contacts",
        class: "IPF.Contact",
        loc_slot: Some(6),
    },
    FolderSpec {
        key: 11,
        english: "Tasks",
        parent: Some(0),
        ftype: "Tasks",
        class: "IPF.Task",
        loc_slot: Some(7),
    },
    FolderSpec {
        key: 12,
        english: "Notes",
        parent: Some(0),
        ftype: "Notes",
        class: "IPF.StickyNote",
        loc_slot: None,
    },
    FolderSpec {
        key: 13,
        english: "Conversation History",
        parent: Some(0),
        ftype: "ConversationHistory",
        class: "IPF.Note",
        loc_slot: None,
    },
    FolderSpec {
        key: 14,
        english: "Sync Issues",
        parent: Some(0),
        ftype: "SyncIssues",
        class: "IPF.Note",
        loc_slot: None,
    },
    FolderSpec {
        key: 15,
        english: "Recoverable Items",
        parent: None,
        ftype: "RecoverableItemsRoot",
        class: "",
        loc_slot: None,
    },
    FolderSpec {
        key: 16,
        english: "Team Calendar",
        parent: Some(8),
        ftype: "User Created",
        class: "IPF.Appointment",
        loc_slot: None,
    },
];

pub const FOLDER_SCOPES: &[&str] = &[
    "All",
    "Archive",
    "Calendar",
    "Contacts",
    "ConversationHistory",
    "DeletedItems",
    "Drafts",
    "Inbox",
    "JunkEmail",
    "Journal",
    "LegacyArchiveJournals",
    "ManagedCustomFolder",
    "NonIpmRoot",
    "Notes",
    "Outbox",
    "Personal",
    "RecoverableItems",
    "RssSubscriptions",
    "SentItems",
    "SyncIssues",
    "Tasks",
];

pub fn scope_includes(scope: &str, key: u8) -> bool {
    match scope {
        "All" => true,
        "Calendar" => matches!(key, 8 | 9 | 16),
        "Inbox" => key == 1,
        "SentItems" => key == 2,
        "DeletedItems" => key == 3,
        "Drafts" => key == 4,
        "JunkEmail" => key == 5,
        "Outbox" => key == 6,
        "Archive" => key == 7,
        "Contacts" => key == 10,
        "Tasks" => key == 11,
        "Notes" => key == 12,
        "ConversationHistory" => key == 13,
        "SyncIssues" => key == 14,
        "RecoverableItems" | "NonIpmRoot" => key == 15,
        "Personal" => key == 16,
        _ => false,
    }
}

/// One folder of one mailbox, with its localized path components.
#[derive(Clone, Debug)]
pub struct Folder {
    pub key: u8,
    pub name: String,
    /// Path components below the root ("" for the root itself).
    pub path: Vec<String>,
}

pub const ACCESS_ROLES: &[&str] = &[
    "None",
    "Owner",
    "PublishingEditor",
    "Editor",
    "PublishingAuthor",
    "Author",
    "NonEditingAuthor",
    "Reviewer",
    "Contributor",
    "AvailabilityOnly",
    "LimitedDetails",
];
pub const ACCESS_RIGHTS: &[&str] = &[
    "ReadItems",
    "CreateItems",
    "EditOwnedItems",
    "DeleteOwnedItems",
    "EditAllItems",
    "DeleteAllItems",
    "CreateSubfolders",
    "FolderOwner",
    "FolderContact",
    "FolderVisible",
];

impl Tenant {
    fn new(seed: u64, idx: usize, kind: TenantKind, n_mbx: usize) -> Tenant {
        let ts = h(&[seed, idx as u64, 0x7E4A47]);
        let id = rng::guid(ts, h(&[ts, 1]));
        let domain = match kind {
            TenantKind::Partner => format!("partnerlabs{:03}.onmicrosoft.com", ts % 1000),
            TenantKind::Customer => {
                let word =
                    COMPANIES[(idx - 1 + (seed as usize % COMPANIES.len())) % COMPANIES.len()];
                format!("{}{:03}.onmicrosoft.com", word, idx)
            }
            TenantKind::Unrelated => format!("unrelated{:03}.onmicrosoft.com", ts % 1000),
            TenantKind::Special(sk) => format!(
                "{}{:03}.onmicrosoft.com",
                sk.key().to_ascii_lowercase(),
                ts % 1000
            ),
        };
        let label = domain.split('.').next().unwrap_or("");
        let org_name = {
            let mut c = label.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        };
        let forest = format!(
            "{}{:02}A{:03}",
            REGIONS[(ts % 5) as usize],
            (ts >> 8) % 10,
            (ts >> 16) % 1000
        );
        let ou = format!(
            "{}.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/{}",
            forest, domain
        );
        let dn_suffix = format!(
            ",OU={},OU=Microsoft Exchange Hosted Organizations,DC={},DC=PROD,DC=OUTLOOK,DC=COM",
            domain, forest
        );
        let mail_domain = domain.replace(".onmicrosoft.com", ".mail.onmicrosoft.com");
        let (n_groups, n_contacts) = if n_mbx == 0 {
            (0, 0)
        } else {
            ((n_mbx / 10).max(2), (n_mbx / 20).max(2))
        };
        Tenant {
            idx,
            id,
            domain,
            org_name,
            kind,
            n_mbx,
            n_groups,
            n_contacts,
            ts,
            ou,
            dn_suffix,
            mail_domain,
            forest,
            // 2019-01-01 plus up to ~2 years.
            created: 1_546_300_800 + (ts >> 20) % (730 * 86400),
            inflight: AtomicUsize::new(0),
            admitted: AtomicUsize::new(0),
            state: RwLock::new(TenantState::default()),
            lookup: OnceCell::new(),
            name_off: (
                (ts % FIRST.len() as u64) as usize,
                ((ts >> 12) % LAST.len() as u64) as usize,
            ),
            full_width: false,
        }
    }

    pub fn n_recipients(&self) -> usize {
        self.n_mbx + self.n_groups + self.n_contacts
    }

    fn mail_domain(&self) -> &str {
        &self.mail_domain
    }

    pub fn kind_of(&self, i: usize) -> MbxKind {
        if i < 4 {
            return MbxKind::User;
        }
        match h(&[self.ts, i as u64, 11]) % 100 {
            0..=79 => MbxKind::User,
            80..=91 => MbxKind::Shared,
            92..=97 => MbxKind::Room,
            _ => MbxKind::Equipment,
        }
    }

    fn locale_of(&self, i: usize) -> usize {
        match i {
            0 => 0,
            1 => 1,
            2 => 2,
            3 => 3,
            _ => {
                let r = h(&[self.ts, i as u64, 12]) % 100;
                if r < 55 {
                    0
                } else {
                    1 + (r as usize % (LOCALES.len() - 1))
                }
            }
        }
    }

    pub fn mailbox(&self, i: usize) -> Mbx {
        let kind = self.kind_of(i);
        let hh = h(&[self.ts, i as u64, 13]);
        let locale = self.locale_of(i);
        match kind {
            MbxKind::User => {
                let f = FIRST[(i + self.name_off.0) % FIRST.len()];
                let l = LAST[(i / FIRST.len() + self.name_off.1) % LAST.len()];
                let suffix = i / (FIRST.len() * LAST.len());
                let (alias, display) = if suffix > 0 {
                    (
                        format!(
                            "{}.{}{}",
                            f.to_ascii_lowercase(),
                            l.to_ascii_lowercase(),
                            suffix
                        ),
                        format!("{} {} {}", f, l, suffix),
                    )
                } else {
                    (
                        format!("{}.{}", f.to_ascii_lowercase(), l.to_ascii_lowercase()),
                        format!("{} {}", f, l),
                    )
                };
                Mbx {
                    i,
                    kind,
                    alias,
                    display,
                    first: Some(f),
                    last: Some(l),
                    locale,
                    hh,
                }
            }
            MbxKind::Shared => {
                let w = SHARED_WORDS[(hh % SHARED_WORDS.len() as u64) as usize];
                Mbx {
                    i,
                    kind,
                    alias: format!("{}{}", w.to_ascii_lowercase(), i),
                    display: format!("{} {}", w, i),
                    first: None,
                    last: None,
                    locale,
                    hh,
                }
            }
            MbxKind::Room => {
                let w = ROOM_WORDS[(hh % ROOM_WORDS.len() as u64) as usize];
                Mbx {
                    i,
                    kind,
                    alias: format!("room.{}{}", w.to_ascii_lowercase(), i),
                    display: format!("Room {} {}", w, i),
                    first: None,
                    last: None,
                    locale,
                    hh,
                }
            }
            MbxKind::Equipment => {
                let w = EQUIP_WORDS[(hh % EQUIP_WORDS.len() as u64) as usize];
                Mbx {
                    i,
                    kind,
                    alias: format!("equip.{}{}", w.to_ascii_lowercase(), i),
                    display: format!("{} {}", w, i),
                    first: None,
                    last: None,
                    locale,
                    hh,
                }
            }
        }
    }

    pub fn guid_of(&self, r: usize, which: u64) -> String {
        rng::guid(
            h(&[self.ts, r as u64, which]),
            h(&[self.ts, r as u64, which, 77]),
        )
    }

    pub fn upn(&self, m: &Mbx) -> String {
        format!("{}@{}", m.alias, self.domain)
    }

    fn base_emails(&self, m: &Mbx) -> Vec<String> {
        let mut v = Vec::with_capacity(3);
        if m.kind == MbxKind::User {
            v.push(format!("SPO:SPO_{}@SPO_{}", self.guid_of(m.i, 5), self.id));
        }
        v.push(format!("SMTP:{}@{}", m.alias, self.domain));
        v.push(format!("smtp:{}@{}", m.alias, self.mail_domain()));
        v
    }

    pub fn emails(&self, m: &Mbx, ov: Option<&MbxOverride>) -> Vec<String> {
        match ov.and_then(|o| o.emails.clone()) {
            Some(e) => e,
            None => self.base_emails(m),
        }
    }

    pub fn primary_smtp(&self, m: &Mbx, ov: Option<&MbxOverride>) -> String {
        if let Some(e) = ov.and_then(|o| o.emails.as_ref()) {
            if let Some(p) = e.iter().find(|a| a.starts_with("SMTP:")) {
                return p[5..].to_string();
            }
        }
        self.upn(m)
    }

    fn archive_active(&self, m: &Mbx) -> bool {
        m.kind == MbxKind::User && (m.hh >> 8) % 4 == 0
    }

    /// Whether mailbox m has an active archive (seeded or enabled by Enable-Mailbox -Archive).
    pub fn archive_on(&self, m: &Mbx, ov: Option<&MbxOverride>) -> bool {
        ov.and_then(|o| o.archive)
            .unwrap_or_else(|| self.archive_active(m))
    }

    pub fn litigation_hold(&self, m: &Mbx, ov: Option<&MbxOverride>) -> bool {
        ov.and_then(|o| o.lit_hold)
            .unwrap_or(m.kind == MbxKind::User && (m.hh >> 44) % 10 == 0)
    }

    fn created_at(&self, r: usize) -> u64 {
        self.created + h(&[self.ts, r as u64, 14]) % (3 * 365 * 86400)
    }

    fn changed_at(&self, r: usize, ov: Option<&MbxOverride>) -> u64 {
        if let Some(t) = ov.and_then(|o| o.when_changed) {
            return t;
        }
        self.created_at(r) + h(&[self.ts, r as u64, 15]) % (200 * 86400)
    }

    fn dn(&self, name: &str) -> String {
        let mut s = String::with_capacity(3 + name.len() + self.dn_suffix.len());
        s.push_str("CN=");
        s.push_str(name);
        s.push_str(&self.dn_suffix);
        s
    }

    fn ou(&self) -> String {
        self.ou.clone()
    }

    fn database(&self, m: &Mbx) -> String {
        format!(
            "{}DG{:03}-db{:03}",
            &self.forest[..7],
            (m.hh >> 20) % 400,
            (m.hh >> 30) % 200
        )
    }

    fn forwarding(&self, m: &Mbx, ov: Option<&MbxOverride>) -> Option<String> {
        if let Some(f) = ov.and_then(|o| o.forwarding_smtp.clone()) {
            return f;
        }
        if m.kind == MbxKind::User && m.i >= 4 && (m.hh >> 24) % 33 == 0 {
            Some(format!("smtp:{}@external.example.com", m.alias))
        } else {
            None
        }
    }

    pub fn hidden(&self, m: &Mbx, ov: Option<&MbxOverride>) -> bool {
        ov.and_then(|o| o.hidden)
            .unwrap_or(m.i >= 4 && (m.hh >> 28) % 23 == 0)
    }

    /// The full Get-Mailbox object.
    pub fn mailbox_record(&self, m: &Mbx, ov: Option<&MbxOverride>) -> Record {
        let upn = self.upn(m);
        let smtp = self.primary_smtp(m, ov);
        let created = self.created_at(m.i);
        let changed = self.changed_at(m.i, ov);
        let archive = self.archive_on(m, ov);
        let fwd = self.forwarding(m, ov);
        let kind = ov.and_then(|o| o.kind).unwrap_or(m.kind);
        let deliver = ov
            .and_then(|o| o.deliver_and_forward)
            .unwrap_or(fwd.is_some() && (m.hh >> 40) % 2 == 0);
        let shared_like = kind != MbxKind::User;
        let loc = &LOCALES[m.locale];
        let lit = self.litigation_hold(m, ov);
        let lit_date = ov.and_then(|o| o.lit_hold_date).unwrap_or(changed);
        let mut r: Record = Vec::with_capacity(256);
        r.push(("Name", V::Str(m.alias.clone())));
        r.push(("Alias", V::Str(m.alias.clone())));
        r.push(("DisplayName", V::Str(m.display.clone())));
        r.push(("Identity", V::Str(m.alias.clone())));
        r.push(("Id", V::Str(m.alias.clone())));
        r.push(("UserPrincipalName", V::Str(upn.clone())));
        r.push(("PrimarySmtpAddress", V::Str(smtp.clone())));
        r.push(("WindowsEmailAddress", V::Str(smtp)));
        r.push(("EmailAddresses", self.emails(m, ov).into()));
        r.push(("RecipientType", V::S("UserMailbox")));
        r.push(("RecipientTypeDetails", V::S(kind.details())));
        r.push(("Guid", V::Str(self.guid_of(m.i, 1))));
        r.push(("ExchangeGuid", V::Str(self.guid_of(m.i, 2))));
        r.push(("ExternalDirectoryObjectId", V::Str(self.guid_of(m.i, 3))));
        r.push((
            "ArchiveGuid",
            V::Str(if archive {
                self.guid_of(m.i, 4)
            } else {
                "00000000-0000-0000-0000-000000000000".into()
            }),
        ));
        r.push((
            "ArchiveStatus",
            V::S(if archive { "Active" } else { "None" }),
        ));
        r.push((
            "ArchiveName",
            V::Arr(match ov.and_then(|o| o.archive_name.clone()) {
                Some(n) => vec![V::Str(n)],
                None if archive => vec![V::Str(format!("In-Place Archive -{}", m.display))],
                None => vec![],
            }),
        ));
        r.push(("DistinguishedName", V::Str(self.dn(&m.alias))));
        r.push(("OrganizationalUnit", V::Str(self.ou())));
        r.push(("ExchangeVersion", V::S("0.20 (15.0.0.0)")));
        r.push((
            "LegacyExchangeDN",
            V::Str(format!(
                "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={:016x}{:016x}-{}",
                m.hh,
                h(&[m.hh, 1]),
                &m.alias[..m.alias.len().min(8)]
            )),
        ));
        r.push(("Database", V::Str(self.database(m))));
        r.push((
            "ServerName",
            V::Str(format!(
                "{}mb{:04}",
                self.forest[..7].to_ascii_lowercase(),
                (m.hh >> 36) % 10000
            )),
        ));
        r.push((
            "MailboxPlan",
            if shared_like {
                V::Null
            } else {
                V::S("ExchangeOnlineEnterprise")
            },
        ));
        r.push(("IsMailboxEnabled", V::Bool(true)));
        r.push(("IsInactiveMailbox", V::Bool(false)));
        r.push(("AccountDisabled", V::Bool(shared_like)));
        r.push((
            "IsDirSynced",
            V::Bool(m.kind == MbxKind::User && (m.hh >> 48) % 10 < 3),
        ));
        r.push(("HiddenFromAddressListsEnabled", V::Bool(self.hidden(m, ov))));
        r.push((
            "ForwardingAddress",
            ov.and_then(|o| o.forwarding_address.clone())
                .flatten()
                .map(V::Str)
                .unwrap_or(V::Null),
        ));
        r.push(("ForwardingSmtpAddress", fwd.into()));
        r.push(("DeliverToMailboxAndForward", V::Bool(deliver)));
        r.push((
            "GrantSendOnBehalfTo",
            V::Arr(
                ov.and_then(|o| o.send_on_behalf.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(V::Str)
                    .collect(),
            ),
        ));
        r.push(("LitigationHoldEnabled", V::Bool(lit)));
        r.push((
            "LitigationHoldDate",
            if lit {
                V::Str(rng::iso_offset(lit_date))
            } else {
                V::Null
            },
        ));
        r.push(("RetentionHoldEnabled", V::Bool(false)));
        r.push(("SingleItemRecoveryEnabled", V::Bool(true)));
        r.push(("RetentionPolicy", V::S("Default MRM Policy")));
        r.push(("AuditEnabled", V::Bool(true)));
        r.push(("UseDatabaseQuotaDefaults", V::Bool(false)));
        if shared_like {
            r.push(("ProhibitSendQuota", V::S("49.5 GB (53,150,220,288 bytes)")));
            r.push((
                "ProhibitSendReceiveQuota",
                V::S("50 GB (53,687,091,200 bytes)"),
            ));
            r.push(("IssueWarningQuota", V::S("49 GB (52,613,349,376 bytes)")));
        } else {
            r.push(("ProhibitSendQuota", V::S("99 GB (106,300,440,576 bytes)")));
            r.push((
                "ProhibitSendReceiveQuota",
                V::S("100 GB (107,374,182,400 bytes)"),
            ));
            r.push(("IssueWarningQuota", V::S("98 GB (105,226,698,752 bytes)")));
        }
        r.push((
            "RecoverableItemsQuota",
            V::S("30 GB (32,212,254,720 bytes)"),
        ));
        r.push(("MaxSendSize", V::S("35 MB (36,700,160 bytes)")));
        r.push(("MaxReceiveSize", V::S("36 MB (37,748,736 bytes)")));
        r.push(("UsageLocation", V::S(loc.country)));
        r.push(("Languages", V::Arr(vec![V::S(loc.culture)])));
        r.push(("Office", V::Null));
        r.push((
            "ResourceType",
            match kind {
                MbxKind::Room => V::S("Room"),
                MbxKind::Equipment => V::S("Equipment"),
                _ => V::Null,
            },
        ));
        r.push((
            "ResourceCapacity",
            if kind == MbxKind::Room {
                V::Int(4 + ((m.hh >> 50) % 17) as i64)
            } else {
                V::Null
            },
        ));
        r.push(("MessageCopyForSentAsEnabled", V::Bool(false)));
        if self.full_width {
            self.push_wide(&mut r, m, ov, kind, archive, lit, &upn, changed);
        }
        push_custom(&mut r, ov);
        r.push(("WhenMailboxCreated", V::Str(rng::iso_offset(created))));
        r.push(("WhenCreated", V::Str(rng::iso_offset(created))));
        r.push(("WhenChanged", V::Str(rng::iso_offset(changed))));
        r.push(("WhenCreatedUTC", V::Str(rng::iso_z(created))));
        r.push(("WhenChangedUTC", V::Str(rng::iso_z(changed))));
        r
    }

    /// The rest of a real Get-Mailbox row (~180 more properties with values of realistic types
    /// and lengths: the full object the service returns without -PropertySets or $select).
    #[allow(clippy::too_many_arguments)]
    fn push_wide(
        &self,
        r: &mut Record,
        m: &Mbx,
        ov: Option<&MbxOverride>,
        kind: MbxKind,
        archive: bool,
        lit: bool,
        upn: &str,
        changed: u64,
    ) {
        const ZERO: &str = "00000000-0000-0000-0000-000000000000";
        const AUDIT_ADMIN: &[&str] = &[
            "Update",
            "MoveToDeletedItems",
            "SoftDelete",
            "HardDelete",
            "SendAs",
            "SendOnBehalf",
            "Create",
            "UpdateFolderPermissions",
            "UpdateInboxRules",
            "UpdateCalendarDelegation",
            "ApplyRecord",
            "MailItemsAccessed",
            "Send",
        ];
        const AUDIT_DELEGATE: &[&str] = &[
            "Update",
            "MoveToDeletedItems",
            "SoftDelete",
            "HardDelete",
            "SendAs",
            "SendOnBehalf",
            "Create",
            "UpdateFolderPermissions",
            "UpdateInboxRules",
            "ApplyRecord",
            "MailItemsAccessed",
        ];
        const AUDIT_OWNER: &[&str] = &[
            "Update",
            "MoveToDeletedItems",
            "SoftDelete",
            "HardDelete",
            "UpdateFolderPermissions",
            "UpdateInboxRules",
            "UpdateCalendarDelegation",
            "ApplyRecord",
            "MailItemsAccessed",
            "Send",
        ];
        let list = |xs: &[&'static str]| V::Arr(xs.iter().map(|x| V::S(x)).collect());
        let empty = || V::Arr(Vec::new());
        let user = kind == MbxKind::User;
        let db = self.database(m);
        let db_guid = rng::guid(
            h(&[self.ts, (m.hh >> 20) % 400, 31]),
            h(&[(m.hh >> 30) % 200, 32]),
        );
        let server = format!("{}MB{:04}", &self.forest[..7], (m.hh >> 36) % 10000);
        r.push(("DatabaseGuid", V::Str(db_guid.clone())));
        r.push(("MailboxProvisioningConstraint", V::Null));
        r.push(("IsMonitoringMailbox", V::Bool(false)));
        r.push(("MailboxRegion", V::Null));
        r.push(("MailboxRegionLastUpdateTime", V::Null));
        r.push(("MailboxRegionSuffix", V::S("None")));
        r.push(("MessageRecallProcessingEnabled", V::Bool(true)));
        r.push(("MessageCopyForSendOnBehalfEnabled", V::Bool(false)));
        r.push(("MailboxProvisioningPreferences", empty()));
        r.push(("UseDatabaseRetentionDefaults", V::Bool(false)));
        r.push(("RetainDeletedItemsUntilBackup", V::Bool(false)));
        r.push(("IsExcludedFromServingHierarchy", V::Bool(false)));
        r.push(("IsHierarchyReady", V::Bool(true)));
        r.push(("IsHierarchySyncEnabled", V::Bool(true)));
        r.push(("IsPublicFolderSystemMailbox", V::Bool(false)));
        r.push(("HasSnackyAppData", V::Bool(false)));
        r.push(("EndDateForRetentionHold", V::Null));
        r.push(("StartDateForRetentionHold", V::Null));
        r.push(("RetentionComment", V::S("")));
        r.push(("RetentionUrl", V::S("")));
        r.push((
            "LitigationHoldOwner",
            if lit {
                V::Str(format!("admin@{}", self.domain))
            } else {
                V::S("")
            },
        ));
        r.push(("LitigationHoldDuration", V::S("Unlimited")));
        r.push(("ElcProcessingDisabled", V::Bool(false)));
        r.push(("ComplianceTagHoldApplied", V::Bool(false)));
        r.push(("WasInactiveMailbox", V::Bool(false)));
        r.push(("DelayHoldApplied", V::Bool(false)));
        r.push(("DelayReleaseHoldApplied", V::Bool(false)));
        r.push(("PitrEnabled", V::Bool(false)));
        r.push(("PitrCopyIntervalInSeconds", V::Int(0)));
        r.push(("InactiveMailboxRetireTime", V::Null));
        r.push(("OrphanSoftDeleteTrackingTime", V::Null));
        r.push(("ManagedFolderMailboxPolicy", V::Null));
        r.push(("AddressBookPolicy", V::Null));
        r.push(("CalendarRepairDisabled", V::Bool(false)));
        r.push(("MailboxContainerGuid", V::Null));
        r.push(("UnifiedMailbox", V::Null));
        let mut locations = vec![V::Str(format!(
            "1;{};Primary;{};{}",
            self.guid_of(m.i, 2),
            self.domain,
            db_guid
        ))];
        if archive {
            locations.push(V::Str(format!(
                "1;{};MainArchive;{};{}",
                self.guid_of(m.i, 4),
                self.domain,
                db_guid
            )));
        }
        r.push(("MailboxLocations", V::Arr(locations)));
        r.push(("AggregatedMailboxGuids", empty()));
        r.push((
            "ExchangeSecurityDescriptor",
            V::S("System.Security.AccessControl.RawSecurityDescriptor"),
        ));
        r.push(("ExchangeUserAccountControl", V::S("None")));
        r.push(("AdminDisplayVersion", V::S("Version 15.20 (Build 8293.23)")));
        r.push(("MessageTrackingReadStatusEnabled", V::Bool(true)));
        r.push(("ExternalOofOptions", V::S("External")));
        r.push(("RetainDeletedItemsFor", V::S("14.00:00:00")));
        r.push(("OfflineAddressBook", V::Null));
        r.push((
            "RecoverableItemsWarningQuota",
            V::S("20 GB (21,474,836,480 bytes)"),
        ));
        r.push(("CalendarLoggingQuota", V::S("6 GB (6,442,450,944 bytes)")));
        r.push(("DowngradeHighPriorityMessagesEnabled", V::Bool(false)));
        r.push((
            "ProtocolSettings",
            list(&[
                "RemotePowerShell\u{a7}1",
                "OWA\u{a7}1",
                "MAPI\u{a7}1\u{a7}\u{a7}\u{a7}\u{a7}\u{a7}",
            ]),
        ));
        r.push(("RecipientLimits", V::S("500")));
        r.push(("ImListMigrationCompleted", V::Bool(false)));
        r.push(("SiloName", V::Null));
        r.push((
            "IsResource",
            V::Bool(matches!(kind, MbxKind::Room | MbxKind::Equipment)),
        ));
        r.push(("IsLinked", V::Bool(false)));
        r.push(("IsShared", V::Bool(kind == MbxKind::Shared)));
        r.push(("IsRootPublicFolderMailbox", V::Bool(false)));
        r.push(("LinkedMasterAccount", V::S("")));
        r.push(("ResetPasswordOnNextLogon", V::Bool(false)));
        r.push(("ResourceCustom", empty()));
        r.push((
            "RoomMailboxAccountEnabled",
            if kind == MbxKind::Room {
                V::Bool(false)
            } else {
                V::Null
            },
        ));
        r.push((
            "SamAccountName",
            V::Str(format!(
                "${:06X}-{:012X}",
                m.hh & 0xFFFFFF,
                h(&[m.hh, 3]) & 0xFFFF_FFFF_FFFF
            )),
        ));
        for k in [
            "SCLDeleteThreshold",
            "SCLDeleteEnabled",
            "SCLRejectThreshold",
            "SCLRejectEnabled",
            "SCLQuarantineThreshold",
            "SCLQuarantineEnabled",
            "SCLJunkThreshold",
            "SCLJunkEnabled",
        ] {
            r.push((k, V::Null));
        }
        r.push(("AntispamBypassEnabled", V::Bool(false)));
        r.push((
            "ServerLegacyDN",
            V::Str(format!(
                "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn={}",
                server
            )),
        ));
        r.push(("RulesQuota", V::S("256 KB (262,144 bytes)")));
        r.push(("UMEnabled", V::Bool(false)));
        r.push(("MaxSafeSenders", V::Null));
        r.push(("MaxBlockedSenders", V::Null));
        r.push((
            "NetID",
            if user {
                V::Str(format!("{:016X}", h(&[m.hh, 4])))
            } else {
                V::Null
            },
        ));
        r.push(("ReconciliationId", V::Null));
        r.push(("WindowsLiveID", V::Str(upn.to_string())));
        r.push(("MicrosoftOnlineServicesID", V::Str(upn.to_string())));
        r.push(("ThrottlingPolicy", V::Null));
        r.push((
            "RoleAssignmentPolicy",
            V::S("Default Role Assignment Policy"),
        ));
        r.push(("DefaultPublicFolderMailbox", V::Null));
        r.push(("EffectivePublicFolderMailbox", V::Null));
        r.push(("SharingPolicy", V::S("Default Sharing Policy")));
        r.push(("RemoteAccountPolicy", V::Null));
        r.push((
            "ArchiveDatabase",
            if archive { V::Str(db.clone()) } else { V::Null },
        ));
        r.push((
            "ArchiveDatabaseGuid",
            V::Str(if archive { db_guid } else { ZERO.to_string() }),
        ));
        r.push(("JournalArchiveAddress", V::S("")));
        r.push(("ArchiveQuota", V::S("100 GB (107,374,182,400 bytes)")));
        r.push(("ArchiveWarningQuota", V::S("90 GB (96,636,764,160 bytes)")));
        r.push(("ArchiveDomain", V::Null));
        r.push(("ArchiveState", V::S(if archive { "Local" } else { "None" })));
        r.push((
            "AutoExpandingArchiveEnabled",
            V::Bool(ov.and_then(|o| o.auto_expanding).unwrap_or(false)),
        ));
        r.push(("DisabledMailboxLocations", V::Bool(false)));
        r.push(("RemoteRecipientType", V::S("None")));
        r.push(("DisabledArchiveDatabase", V::Null));
        r.push(("DisabledArchiveGuid", V::S(ZERO)));
        r.push(("QueryBaseDN", V::Null));
        r.push(("QueryBaseDNRestrictionEnabled", V::Bool(false)));
        r.push(("MailboxMoveTargetMDB", V::Null));
        r.push(("MailboxMoveSourceMDB", V::Null));
        r.push(("MailboxMoveFlags", V::S("None")));
        r.push(("MailboxMoveRemoteHostName", V::S("")));
        r.push(("MailboxMoveBatchName", V::S("")));
        r.push(("MailboxMoveStatus", V::S("None")));
        r.push(("MailboxRelease", V::S("")));
        r.push(("ArchiveRelease", V::S("")));
        r.push(("IsPersonToPersonTextMessagingEnabled", V::Bool(false)));
        r.push(("IsMachineToPersonTextMessagingEnabled", V::Bool(true)));
        r.push(("UserSMimeCertificate", empty()));
        r.push(("UserCertificate", empty()));
        r.push(("CalendarVersionStoreDisabled", V::Bool(false)));
        r.push(("ImmutableId", V::S("")));
        r.push((
            "PersistedCapabilities",
            if user {
                list(&[
                    "BPOS_S_Enterprise",
                    "BPOS_S_O365PAM",
                    "BPOS_S_EquivioAnalytics",
                ])
            } else {
                empty()
            },
        ));
        r.push(("SKUAssigned", if user { V::Bool(true) } else { V::Null }));
        r.push(("AuditLogAgeLimit", V::S("90.00:00:00")));
        r.push(("AuditAdmin", list(AUDIT_ADMIN)));
        r.push(("AuditDelegate", list(AUDIT_DELEGATE)));
        r.push(("AuditOwner", list(AUDIT_OWNER)));
        r.push(("DefaultAuditSet", list(&["Admin", "Delegate", "Owner"])));
        r.push(("SourceAnchor", V::S("")));
        r.push(("IsSoftDeletedByRemove", V::Bool(false)));
        r.push(("IsSoftDeletedByDisable", V::Bool(false)));
        r.push(("IncludeInGarbageCollection", V::Bool(false)));
        r.push(("WhenSoftDeleted", V::Null));
        r.push((
            "InPlaceHolds",
            if lit {
                V::Arr(vec![V::Str(format!("UniH{}", self.guid_of(m.i, 7)))])
            } else {
                empty()
            },
        ));
        r.push(("GeneratedOfflineAddressBooks", empty()));
        r.push((
            "StsRefreshTokensValidFrom",
            V::Str(rng::iso_offset(changed)),
        ));
        r.push(("NonCompliantDevices", empty()));
        r.push(("EnforcedTimestamps", V::Null));
        r.push(("DataEncryptionPolicy", V::Null));
        r.push(("MessageCopyForSMTPClientSubmissionEnabled", V::Bool(true)));
        r.push(("RecipientThrottlingThreshold", V::S("Standard")));
        r.push(("SharedEmailDomainTenant", V::S("")));
        r.push(("SharedEmailDomainState", V::S("None")));
        r.push(("SharedWithTargetSmtpAddress", V::S("")));
        r.push(("SharedEmailDomainStateLastModified", V::Null));
        r.push(("IsAuxMailbox", V::Bool(false)));
        r.push(("AuxMailboxParentObjectId", V::Null));
        r.push(("ChildAuxMailboxes", empty()));
        r.push(("RecipientSoftDeletedStatus", V::Int(0)));
        r.push(("HasPicture", V::Bool(user && (m.hh >> 52) % 3 == 0)));
        r.push(("HasSpokenName", V::Bool(false)));
        r.push(("OrganizationalUnitRoot", V::Str(self.domain.clone())));
        for k in [
            "ExtensionCustomAttribute1",
            "ExtensionCustomAttribute2",
            "ExtensionCustomAttribute3",
            "ExtensionCustomAttribute4",
            "ExtensionCustomAttribute5",
        ] {
            r.push((k, empty()));
        }
        r.push(("LastExchangeChangedTime", V::Null));
        r.push(("ModeratedBy", empty()));
        r.push(("ModerationEnabled", V::Bool(false)));
        r.push((
            "PoliciesIncluded",
            list(&[
                "4b0f2d34-ab4c-4d3e-9b4e-7c1e3a1f6a2d",
                "{26491cfc-9e50-4857-861b-0cb8df22b5d7}",
            ]),
        ));
        r.push(("PoliciesExcluded", empty()));
        r.push(("EmailAddressPolicyEnabled", V::Bool(false)));
        r.push(("RejectMessagesFrom", empty()));
        r.push(("RejectMessagesFromDLMembers", empty()));
        r.push(("RejectMessagesFromSendersOrMembers", empty()));
        r.push(("RequireSenderAuthenticationEnabled", V::Bool(false)));
        r.push(("SimpleDisplayName", V::S("")));
        r.push(("SendModerationNotifications", V::S("Always")));
        r.push((
            "UMDtmfMap",
            V::Arr(vec![
                V::Str(format!("emailAddress:{}", dtmf(&m.alias))),
                V::Str(format!(
                    "lastNameFirstName:{}{}",
                    dtmf(m.last.unwrap_or(&m.display)),
                    dtmf(m.first.unwrap_or(""))
                )),
                V::Str(format!(
                    "firstNameLastName:{}{}",
                    dtmf(m.first.unwrap_or("")),
                    dtmf(m.last.unwrap_or(&m.display))
                )),
            ]),
        ));
        r.push(("MailTip", V::Null));
        r.push(("MailTipTranslations", empty()));
        r.push((
            "ObjectCategory",
            V::Str(format!(
                "{}.PROD.OUTLOOK.COM/Configuration/Schema/Person",
                self.forest
            )),
        ));
        r.push((
            "ObjectClass",
            list(&["top", "person", "organizationalPerson", "user"]),
        ));
        r.push(("ExchangeObjectId", V::Str(self.guid_of(m.i, 1))));
        r.push((
            "OrganizationId",
            V::Str(format!(
                "{}.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/{} - {}.PROD.OUTLOOK.COM/ConfigurationUnits/{}/Configuration",
                self.forest, self.domain, self.forest, self.domain
            )),
        ));
        r.push((
            "OriginatingServer",
            V::Str(format!(
                "{}DC{:03}.{}.PROD.OUTLOOK.COM",
                &self.forest[..7],
                (m.hh >> 12) % 1000,
                self.forest
            )),
        ));
        r.push(("IsValid", V::Bool(true)));
        r.push(("ObjectState", V::S("Unchanged")));
        r.push(("AcceptMessagesOnlyFrom", empty()));
        r.push(("AcceptMessagesOnlyFromDLMembers", empty()));
        r.push(("AcceptMessagesOnlyFromSendersOrMembers", empty()));
        r.push(("AdministrativeUnits", empty()));
        r.push(("ArbitrationMailbox", V::Null));
        r.push(("BypassModerationFromSendersOrMembers", empty()));
        r.push(("AddressListMembership", empty()));
    }

    /// Non-mailbox recipient r (r ≥ n_mbx).
    pub fn other_kind(&self, r: usize) -> OtherKind {
        let j = r - self.n_mbx;
        if j < self.n_groups {
            match j % 4 {
                0 => OtherKind::DistributionGroup,
                1 => OtherKind::SecurityGroup,
                2 => OtherKind::GroupMailbox,
                _ => OtherKind::DynamicGroup,
            }
        } else if (j - self.n_groups) % 2 == 0 {
            OtherKind::MailContact
        } else {
            OtherKind::GuestMailUser
        }
    }

    /// RecipientTypeDetails of recipient r, cheaply.
    pub fn recipient_type_details(&self, r: usize) -> &'static str {
        if r < self.n_mbx {
            self.kind_of(r).details()
        } else {
            self.other_kind(r).types().1
        }
    }

    /// (alias, display, primary smtp, upn-like name) of a non-mailbox recipient.
    fn other_names(&self, r: usize) -> (String, String, String, Option<String>) {
        let j = r - self.n_mbx;
        let kind = self.other_kind(r);
        let hh = h(&[self.ts, r as u64, 16]);
        match kind {
            OtherKind::MailContact | OtherKind::GuestMailUser => {
                let f = FIRST[(hh % FIRST.len() as u64) as usize];
                let l = LAST[((hh >> 8) % LAST.len() as u64) as usize];
                let ext = format!("{}.{}{}", f.to_ascii_lowercase(), l.to_ascii_lowercase(), j);
                let smtp = format!("{}@partnerco{}.example.com", ext, j % 7);
                if kind == OtherKind::MailContact {
                    (
                        format!("ext.{}", ext),
                        format!("{} {} {} (External)", f, l, j),
                        smtp,
                        None,
                    )
                } else {
                    let alias = format!("{}_partnerco{}.example.com#EXT#", ext, j % 7);
                    let upn = format!("{}@{}", alias, self.domain);
                    (alias, format!("{} {} {} (Guest)", f, l, j), smtp, Some(upn))
                }
            }
            _ => {
                let w = GROUP_WORDS[(hh % GROUP_WORDS.len() as u64) as usize];
                let slug: String = w
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect();
                let alias = format!("grp.{}{}", slug, j);
                let smtp = format!("{}@{}", alias, self.domain);
                (alias, format!("{} {}", w, j), smtp, None)
            }
        }
    }

    /// The Get-Recipient object of recipient r.
    pub fn recipient_record(&self, r: usize, st: &TenantState) -> Record {
        let created = self.created_at(r);
        let mut rec: Record = Vec::with_capacity(48);
        if r < self.n_mbx {
            let m = self.mailbox(r);
            let ov = st.mbx.get(&r);
            let smtp = self.primary_smtp(&m, ov);
            let loc = &LOCALES[m.locale];
            rec.push(("Name", V::Str(m.alias.clone())));
            rec.push(("Alias", V::Str(m.alias.clone())));
            rec.push(("DisplayName", V::Str(m.display.clone())));
            rec.push(("FirstName", m.first.map(V::S).unwrap_or(V::S(""))));
            rec.push(("LastName", m.last.map(V::S).unwrap_or(V::S(""))));
            rec.push(("Identity", V::Str(m.alias.clone())));
            rec.push(("Id", V::Str(m.alias.clone())));
            rec.push(("PrimarySmtpAddress", V::Str(smtp)));
            rec.push(("WindowsLiveID", V::Str(self.upn(&m))));
            rec.push(("EmailAddresses", self.emails(&m, ov).into()));
            rec.push(("RecipientType", V::S("UserMailbox")));
            rec.push((
                "RecipientTypeDetails",
                V::S(ov.and_then(|o| o.kind).unwrap_or(m.kind).details()),
            ));
            rec.push(("Guid", V::Str(self.guid_of(r, 1))));
            rec.push(("ExchangeGuid", V::Str(self.guid_of(r, 2))));
            rec.push(("ExchangeObjectId", V::Str(self.guid_of(r, 1))));
            rec.push(("ExternalDirectoryObjectId", V::Str(self.guid_of(r, 3))));
            rec.push((
                "HiddenFromAddressListsEnabled",
                V::Bool(self.hidden(&m, ov)),
            ));
            rec.push((
                "Department",
                if m.kind == MbxKind::User {
                    V::S(["Sales", "Finance", "IT", "Operations", "Marketing"][(m.hh % 5) as usize])
                } else {
                    V::S("")
                },
            ));
            rec.push(("Title", V::S("")));
            rec.push(("Company", V::Str(self.org_name.clone())));
            rec.push(("City", V::S("")));
            rec.push(("CountryOrRegion", V::S(loc.country)));
            rec.push(("UsageLocation", V::S(loc.country)));
            rec.push((
                "ArchiveStatus",
                V::S(if self.archive_on(&m, ov) {
                    "Active"
                } else {
                    "None"
                }),
            ));
            rec.push(("DistinguishedName", V::Str(self.dn(&m.alias))));
            rec.push(("OrganizationalUnit", V::Str(self.ou())));
            push_custom(&mut rec, ov);
            let changed = self.changed_at(r, ov);
            rec.push(("WhenCreated", V::Str(rng::iso_offset(created))));
            rec.push(("WhenChanged", V::Str(rng::iso_offset(changed))));
            rec.push(("WhenCreatedUTC", V::Str(rng::iso_z(created))));
            rec.push(("WhenChangedUTC", V::Str(rng::iso_z(changed))));
        } else {
            let kind = self.other_kind(r);
            let (rt, rtd) = kind.types();
            let (alias, display, smtp, upn) = self.other_names(r);
            let external = matches!(kind, OtherKind::MailContact | OtherKind::GuestMailUser);
            let mut emails = vec![format!("SMTP:{}", smtp)];
            if !external {
                emails.push(format!("smtp:{}@{}", alias, self.mail_domain()));
            }
            rec.push(("Name", V::Str(alias.clone())));
            rec.push(("Alias", V::Str(alias.clone())));
            rec.push(("DisplayName", V::Str(display)));
            rec.push(("Identity", V::Str(alias.clone())));
            rec.push(("Id", V::Str(alias.clone())));
            rec.push(("PrimarySmtpAddress", V::Str(smtp.clone())));
            rec.push(("WindowsLiveID", upn.map(V::Str).unwrap_or(V::S(""))));
            rec.push(("EmailAddresses", emails.into()));
            rec.push((
                "ExternalEmailAddress",
                if external {
                    V::Str(format!("SMTP:{}", smtp))
                } else {
                    V::Null
                },
            ));
            rec.push(("RecipientType", V::S(rt)));
            rec.push(("RecipientTypeDetails", V::S(rtd)));
            rec.push(("Guid", V::Str(self.guid_of(r, 1))));
            rec.push(("ExchangeObjectId", V::Str(self.guid_of(r, 1))));
            rec.push((
                "ExternalDirectoryObjectId",
                if kind == OtherKind::DynamicGroup {
                    V::S("")
                } else {
                    V::Str(self.guid_of(r, 3))
                },
            ));
            rec.push((
                "HiddenFromAddressListsEnabled",
                V::Bool(kind == OtherKind::GroupMailbox && r % 3 == 0),
            ));
            rec.push(("Company", V::S("")));
            rec.push(("DistinguishedName", V::Str(self.dn(&alias))));
            rec.push(("OrganizationalUnit", V::Str(self.ou())));
            push_custom(&mut rec, None);
            let changed = self.changed_at(r, None);
            rec.push(("WhenCreated", V::Str(rng::iso_offset(created))));
            rec.push(("WhenChanged", V::Str(rng::iso_offset(changed))));
            rec.push(("WhenCreatedUTC", V::Str(rng::iso_z(created))));
            rec.push(("WhenChangedUTC", V::Str(rng::iso_z(changed))));
        }
        rec
    }

    /// Lower-cased identity keys of recipient r (without overrides).
    fn identity_keys(&self, r: usize, ov: Option<&MbxOverride>) -> Vec<String> {
        let mut k = Vec::with_capacity(10);
        if r < self.n_mbx {
            let m = self.mailbox(r);
            k.push(m.alias.to_ascii_lowercase());
            k.push(m.display.to_lowercase());
            k.push(self.upn(&m).to_ascii_lowercase());
            for e in self.emails(&m, ov) {
                if let Some((_, a)) = e.split_once(':') {
                    if e[..4].eq_ignore_ascii_case("smtp") {
                        k.push(a.to_ascii_lowercase());
                    }
                }
            }
            k.push(self.dn(&m.alias).to_ascii_lowercase());
        } else {
            let (alias, display, smtp, upn) = self.other_names(r);
            k.push(alias.to_ascii_lowercase());
            k.push(display.to_lowercase());
            k.push(smtp.to_ascii_lowercase());
            if let Some(u) = upn {
                k.push(u.to_ascii_lowercase());
            }
            if r - self.n_mbx < self.n_groups {
                k.push(format!("{}@{}", alias, self.mail_domain()).to_ascii_lowercase());
            }
        }
        k.push(self.guid_of(r, 1));
        if r < self.n_mbx {
            k.push(self.guid_of(r, 2));
        }
        k.push(self.guid_of(r, 3));
        k
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| {
            let n = self.n_recipients();
            let mut single: HashMap<u64, u32> = HashMap::with_capacity(n * 8);
            let mut multi: HashMap<u64, Vec<u32>> = HashMap::new();
            for r in 0..n {
                for key in self.identity_keys(r, None) {
                    let hk = rng::hash_str(&key);
                    match single.get(&hk) {
                        None => {
                            single.insert(hk, r as u32);
                        }
                        Some(&other) if other as usize == r => {}
                        Some(_) => {
                            let e = multi.entry(hk).or_default();
                            if !e.contains(&(r as u32)) {
                                e.push(r as u32);
                            }
                        }
                    }
                }
            }
            Lookup { single, multi }
        })
    }

    /// Resolves an identity (alias, name, display name, UPN, SMTP address, GUID, ExchangeGuid,
    /// ExternalDirectoryObjectId, DN) to recipient indices. More than one → ambiguous.
    pub fn resolve(&self, ident: &str, st: &TenantState) -> Vec<usize> {
        let mut key = ident.trim().to_lowercase();
        if key.len() == 38 && key.starts_with('{') && key.ends_with('}') {
            key = key[1..37].to_string();
        }
        if let Some(rest) = key.strip_prefix("smtp:") {
            key = rest.to_string();
        }
        if key.is_empty() {
            return vec![];
        }
        let lk = self.lookup();
        let hk = rng::hash_str(&key);
        let mut cands: Vec<usize> = Vec::new();
        if let Some(&r) = lk.single.get(&hk) {
            cands.push(r as usize);
        }
        if let Some(v) = lk.multi.get(&hk) {
            cands.extend(v.iter().map(|r| *r as usize));
        }
        for (r, o) in &st.mbx {
            if o.emails.is_some() && !cands.contains(r) {
                cands.push(*r);
            }
        }
        let mut out: Vec<usize> = cands
            .into_iter()
            .filter(|r| {
                self.identity_keys(*r, st.mbx.get(r))
                    .iter()
                    .any(|k| *k == key)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Display name of recipient r (used in permission entries).
    pub fn display_of(&self, r: usize) -> String {
        if r < self.n_mbx {
            self.mailbox(r).display
        } else {
            self.other_names(r).1
        }
    }

    /// UPN / primary address of recipient r (used in mailbox permission entries).
    pub fn upn_of(&self, r: usize) -> String {
        if r < self.n_mbx {
            self.upn(&self.mailbox(r))
        } else {
            let (_, _, smtp, upn) = self.other_names(r);
            upn.unwrap_or(smtp)
        }
    }

    /// A deterministic user mailbox other than `not`, near position `seed_pos`.
    fn pick_user(&self, seed_pos: u64, not: usize) -> Option<usize> {
        if self.n_mbx < 2 {
            return None;
        }
        let start = (seed_pos % self.n_mbx as u64) as usize;
        (0..self.n_mbx.min(64))
            .map(|k| (start + k) % self.n_mbx)
            .find(|&j| j != not && self.kind_of(j) == MbxKind::User)
    }

    /// Users with FullAccess on mailbox i (besides SELF).
    pub fn delegates(&self, i: usize) -> Vec<usize> {
        let m_kind = self.kind_of(i);
        let hh = h(&[self.ts, i as u64, 21]);
        let n = match m_kind {
            MbxKind::Shared => 1 + (hh % 3) as usize,
            MbxKind::User if hh % 10 == 0 => 1,
            _ => 0,
        };
        let mut out = Vec::new();
        for k in 0..n {
            if let Some(j) = self.pick_user(h(&[hh, k as u64]), i) {
                if !out.contains(&j) {
                    out.push(j);
                }
            }
        }
        out
    }

    pub fn mailbox_permission_records(&self, i: usize, st: &TenantState) -> Vec<Record> {
        if let Some(v) = st.mbx_perms.get(&i) {
            return v.clone();
        }
        let m = self.mailbox(i);
        let mut v = vec![perm_rec(
            &m.alias,
            "NT AUTHORITY\\SELF",
            &["FullAccess", "ReadPermission"],
        )];
        for d in self.delegates(i) {
            v.push(perm_rec(&m.alias, &self.upn_of(d), &["FullAccess"]));
        }
        v
    }

    pub fn recipient_permission_records(&self, i: usize, st: &TenantState) -> Vec<Record> {
        if let Some(v) = st.send_as.get(&i) {
            return v.clone();
        }
        let m = self.mailbox(i);
        let mut v = vec![rperm_rec(&m.alias, "NT AUTHORITY\\SELF")];
        if m.kind == MbxKind::Shared {
            if let Some(d) = self.delegates(i).first() {
                v.push(rperm_rec(&m.alias, &self.upn_of(*d)));
            }
        }
        v
    }

    pub fn folders(&self, m: &Mbx) -> Vec<Folder> {
        let loc = &LOCALES[m.locale];
        let name_of = |s: &FolderSpec| -> String {
            match s.loc_slot {
                Some(k) => loc.names[k].to_string(),
                None => s.english.to_string(),
            }
        };
        let team = m.kind == MbxKind::User && (m.hh >> 52) % 4 == 0;
        let mut out = Vec::with_capacity(FOLDER_SPECS.len());
        for s in FOLDER_SPECS {
            if s.key == 16 && !team {
                continue;
            }
            let name = name_of(s);
            let path = match s.parent {
                None if s.key == ROOT => vec![],
                None => vec![name.clone()],
                Some(0) => vec![name.clone()],
                Some(p) => vec![name_of(&FOLDER_SPECS[p as usize]), name.clone()],
            };
            out.push(Folder {
                key: s.key,
                name,
                path,
            });
        }
        out
    }

    pub fn folder_stat_record(&self, m: &Mbx, f: &Folder, oldest_newest: bool) -> Record {
        let spec = &FOLDER_SPECS[f.key as usize];
        let hh = h(&[self.ts, m.i as u64, 30 + f.key as u64]);
        let items = match f.key {
            0 | 15 => 0,
            1 => hh % 8000,
            2 => hh % 4000,
            8 => hh % 2500,
            _ => hh % 300,
        };
        let size = items * (2_000 + (hh >> 16) % 60_000);
        let path = if f.key == ROOT {
            format!("/{}", f.name)
        } else {
            format!("/{}", f.path.join("/"))
        };
        let ident = if f.key == ROOT {
            format!("{}\\{}", m.alias, f.name)
        } else {
            format!("{}\\{}", m.alias, f.path.join("\\"))
        };
        let created = self.created_at(m.i);
        let mut r: Record = Vec::with_capacity(20);
        r.push(("Name", V::Str(f.name.clone())));
        r.push(("FolderPath", V::Str(path)));
        r.push(("FolderType", V::S(spec.ftype)));
        r.push(("ContainerClass", V::S(spec.class)));
        r.push(("Identity", V::Str(ident)));
        r.push((
            "FolderId",
            V::Str(format!(
                "LgAAAAC{}AQ{}AAAAAA",
                rng::b64url(&hh.to_be_bytes()),
                rng::b64url(&(m.hh ^ hh).to_le_bytes())
            )),
        ));
        r.push(("ItemsInFolder", V::Int(items as i64)));
        r.push(("ItemsInFolderAndSubfolders", V::Int(items as i64)));
        r.push(("VisibleItemsInFolder", V::Int(items as i64)));
        r.push(("HiddenItemsInFolder", V::Int(0)));
        r.push(("DeletedItemsInFolder", V::Int(0)));
        r.push(("FolderSize", V::Str(fmt_size(size))));
        r.push(("FolderAndSubfolderSize", V::Str(fmt_size(size))));
        r.push(("CreationTime", V::Str(rng::iso_offset(created))));
        r.push((
            "LastModifiedTime",
            V::Str(rng::iso_offset(created + hh % (400 * 86400))),
        ));
        if oldest_newest {
            r.push((
                "OldestItemReceivedDate",
                if items > 0 {
                    V::Str(rng::iso_offset(created + 86400))
                } else {
                    V::Null
                },
            ));
            r.push((
                "NewestItemReceivedDate",
                if items > 0 {
                    V::Str(rng::iso_offset(created + hh % (400 * 86400)))
                } else {
                    V::Null
                },
            ));
        }
        r
    }

    /// Seeded folder permissions of (mailbox, folder).
    pub fn seeded_folder_perms(&self, m: &Mbx, key: u8) -> Vec<FolderPerm> {
        let default = if key == CALENDAR {
            if m.kind == MbxKind::Room {
                "LimitedDetails"
            } else {
                "AvailabilityOnly"
            }
        } else {
            "None"
        };
        let mut v = vec![
            FolderPerm {
                user: PermUser::Default,
                rights: vec![default.into()],
                flags: None,
            },
            FolderPerm {
                user: PermUser::Anonymous,
                rights: vec!["None".into()],
                flags: None,
            },
        ];
        if key == CALENDAR && m.kind == MbxKind::User {
            let hh = h(&[self.ts, m.i as u64, 40]);
            if hh % 5 == 0 {
                if let Some(j) = self.pick_user(hh >> 8, m.i) {
                    v.push(FolderPerm {
                        user: PermUser::Recipient(j),
                        rights: vec![if (hh >> 4) % 2 == 0 {
                            "Reviewer"
                        } else {
                            "Editor"
                        }
                        .into()],
                        flags: None,
                    });
                }
            }
        }
        v
    }

    pub fn folder_perms(&self, m: &Mbx, key: u8, st: &TenantState) -> Vec<FolderPerm> {
        match st.folder_perms.get(&(m.i, key)) {
            Some(v) => v.clone(),
            None => self.seeded_folder_perms(m, key),
        }
    }

    pub fn perm_user_name(&self, u: &PermUser) -> String {
        match u {
            PermUser::Default => "Default".into(),
            PermUser::Anonymous => "Anonymous".into(),
            PermUser::Recipient(r) => self.display_of(*r),
        }
    }

    pub fn folder_perm_record(&self, m: &Mbx, f: &Folder, p: &FolderPerm) -> Record {
        let ident = format!("{}:\\{}", m.alias, f.path.join("\\"));
        vec![
            ("FolderName", V::Str(f.name.clone())),
            ("User", V::Str(self.perm_user_name(&p.user))),
            ("AccessRights", p.rights.clone().into()),
            ("SharingPermissionFlags", p.flags.clone().into()),
            ("Identity", V::Str(ident)),
            ("IsValid", V::Bool(true)),
            ("ObjectState", V::S("Unchanged")),
        ]
    }

    pub fn device_count(&self, m: &Mbx) -> usize {
        if m.kind != MbxKind::User {
            return 0;
        }
        [0, 0, 1, 1, 2, 3][((m.hh >> 56) % 6) as usize]
    }

    pub fn device_records(&self, m: &Mbx) -> Vec<Record> {
        const DEV: &[(&str, &str, &str, &str, &str)] = &[
            (
                "iPhone",
                "iPhone15C2",
                "iOS 17.4.1 21E236",
                "Apple-iPhone15C2/2104.236",
                "EAS",
            ),
            (
                "Android",
                "SM-S918B",
                "Android 14",
                "Android-SAMSUNG-SM-S918B/101.140104",
                "EAS",
            ),
            (
                "Outlook",
                "Outlook for iOS and Android",
                "iOS 17.5",
                "Outlook-iOS-Android/1.0",
                "Outlook",
            ),
            (
                "iPad",
                "iPad13C1",
                "iOS 16.7.2 20H115",
                "Apple-iPad13C1/2008.115",
                "EAS",
            ),
        ];
        (0..self.device_count(m))
            .map(|d| {
                let hh = h(&[self.ts, m.i as u64, 50 + d as u64]);
                let (dtype, model, os, ua, client) = DEV[(hh % DEV.len() as u64) as usize];
                let id = format!("{:016X}{:016X}", hh, h(&[hh, 1]));
                let first = self.created_at(m.i) + hh % (300 * 86400);
                let last = first + (hh >> 12) % (200 * 86400);
                vec![
                    (
                        "Identity",
                        V::Str(format!(
                            "{}\\ExchangeActiveSyncDevices\\{}§{}",
                            m.alias, dtype, id
                        )),
                    ),
                    ("Guid", V::Str(self.guid_of(m.i, 100 + d as u64))),
                    ("DeviceId", V::Str(id)),
                    ("DeviceType", V::S(dtype)),
                    ("DeviceModel", V::S(model)),
                    ("DeviceOS", V::S(os)),
                    ("DeviceOSLanguage", V::S(LOCALES[m.locale].culture)),
                    ("DeviceUserAgent", V::S(ua)),
                    (
                        "DeviceFriendlyName",
                        V::Str(format!("{}'s {}", m.first.unwrap_or("User"), dtype)),
                    ),
                    ("DeviceImei", V::Null),
                    ("DevicePhoneNumber", V::Null),
                    ("DeviceMobileOperator", V::Null),
                    ("ClientType", V::S(client)),
                    (
                        "ClientVersion",
                        V::S(if client == "EAS" { "16.1" } else { "1.0" }),
                    ),
                    ("FirstSyncTime", V::Str(rng::iso_offset(first))),
                    ("LastPolicyUpdateTime", V::Str(rng::iso_offset(first))),
                    ("LastSyncAttemptTime", V::Str(rng::iso_offset(last))),
                    ("LastSuccessSync", V::Str(rng::iso_offset(last))),
                    ("DeviceWipeSentTime", V::Null),
                    ("DeviceWipeRequestTime", V::Null),
                    ("DeviceWipeAckTime", V::Null),
                    ("Status", V::S("DeviceOk")),
                    ("DeviceAccessState", V::S("Allowed")),
                    ("DeviceAccessStateReason", V::S("Global")),
                    ("DevicePolicyApplied", V::S("Default")),
                    ("DevicePolicyApplicationStatus", V::S("AppliedInFull")),
                    ("IsRemoteWipeSupported", V::Bool(true)),
                    ("NumberOfFoldersSynced", V::Int(((hh >> 20) % 30) as i64)),
                ]
            })
            .collect()
    }

    pub fn cas_record(&self, m: &Mbx, ov: Option<&MbxOverride>) -> Record {
        let hh = h(&[self.ts, m.i as u64, 60]);
        vec![
            ("Name", V::Str(m.alias.clone())),
            ("Identity", V::Str(m.alias.clone())),
            ("DisplayName", V::Str(m.display.clone())),
            ("PrimarySmtpAddress", V::Str(self.primary_smtp(m, ov))),
            ("EmailAddresses", self.emails(m, ov).into()),
            ("Guid", V::Str(self.guid_of(m.i, 1))),
            ("ExternalDirectoryObjectId", V::Str(self.guid_of(m.i, 3))),
            ("ActiveSyncEnabled", V::Bool(hh % 10 != 0)),
            ("OWAEnabled", V::Bool(true)),
            ("OWAforDevicesEnabled", V::Bool(true)),
            ("ECPEnabled", V::Bool(true)),
            ("PopEnabled", V::Bool((hh >> 8) % 10 < 3)),
            ("ImapEnabled", V::Bool((hh >> 16) % 10 < 3)),
            ("MAPIEnabled", V::Bool(true)),
            ("EwsEnabled", V::Bool(true)),
            ("UniversalOutlookEnabled", V::Bool(true)),
            ("OutlookMobileEnabled", V::Bool(true)),
            ("MacOutlookEnabled", V::Bool(true)),
            ("SmtpClientAuthenticationDisabled", V::Null),
            ("ActiveSyncMailboxPolicy", V::S("Default")),
            ("OwaMailboxPolicy", V::S("OwaMailboxPolicy-Default")),
            (
                "HasActiveSyncDevicePartnership",
                V::Bool(self.device_count(m) > 0),
            ),
            ("WhenCreated", V::Str(rng::iso_offset(self.created_at(m.i)))),
            (
                "WhenChanged",
                V::Str(rng::iso_offset(self.changed_at(m.i, ov))),
            ),
        ]
    }

    pub fn mailbox_stats_record(&self, m: &Mbx, archive: bool) -> Record {
        let hh = h(&[self.ts, m.i as u64, 70 + archive as u64]);
        let items = hh % 40_000;
        let size = items * (20_000 + (hh >> 20) % 80_000);
        let deleted = (hh >> 8) % 2_000;
        let logon = self.created_at(m.i) + (hh >> 24) % (700 * 86400);
        let display = if archive {
            format!("In-Place Archive -{}", m.display)
        } else {
            m.display.clone()
        };
        vec![
            ("DisplayName", V::Str(display)),
            (
                "Identity",
                V::Str(if archive {
                    self.guid_of(m.i, 4)
                } else {
                    self.guid_of(m.i, 2)
                }),
            ),
            (
                "MailboxGuid",
                V::Str(if archive {
                    self.guid_of(m.i, 4)
                } else {
                    self.guid_of(m.i, 2)
                }),
            ),
            ("OwnerADGuid", V::Str(self.guid_of(m.i, 1))),
            ("ExternalDirectoryOrganizationId", V::Str(self.id.clone())),
            ("MailboxTypeDetail", V::S(m.kind.details())),
            ("IsArchiveMailbox", V::Bool(archive)),
            ("IsQuarantined", V::Bool(false)),
            ("ItemCount", V::Int(items as i64)),
            ("AssociatedItemCount", V::Int((hh % 400) as i64)),
            ("DeletedItemCount", V::Int(deleted as i64)),
            ("SystemMessageCount", V::Int(((hh >> 4) % 50) as i64)),
            ("TotalItemSize", V::Str(fmt_size(size))),
            ("TotalDeletedItemSize", V::Str(fmt_size(deleted * 30_000))),
            (
                "LastLogonTime",
                if m.kind == MbxKind::User {
                    V::Str(rng::iso_offset(logon))
                } else {
                    V::Null
                },
            ),
            (
                "LastLogoffTime",
                if m.kind == MbxKind::User {
                    V::Str(rng::iso_offset(logon + 3600))
                } else {
                    V::Null
                },
            ),
            (
                "LastUserActionTime",
                if m.kind == MbxKind::User {
                    V::Str(rng::iso_offset(logon + 600))
                } else {
                    V::Null
                },
            ),
            ("LastInteractionTime", V::Str(rng::iso_offset(logon + 600))),
            ("StorageLimitStatus", V::Null),
            ("Database", V::Str(self.database(m))),
        ]
    }
}

/// Telephone-keypad digits of a name (Exchange's UMDtmfMap).
fn dtmf(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c.to_ascii_lowercase() {
            'a'..='c' => Some('2'),
            'd'..='f' => Some('3'),
            'g'..='i' => Some('4'),
            'j'..='l' => Some('5'),
            'm'..='o' => Some('6'),
            'p'..='s' => Some('7'),
            't'..='v' => Some('8'),
            'w'..='z' => Some('9'),
            '0'..='9' => Some(c),
            _ => None,
        })
        .collect()
}

fn push_custom(r: &mut Record, ov: Option<&MbxOverride>) {
    const NAMES: [&str; 15] = [
        "CustomAttribute1",
        "CustomAttribute2",
        "CustomAttribute3",
        "CustomAttribute4",
        "CustomAttribute5",
        "CustomAttribute6",
        "CustomAttribute7",
        "CustomAttribute8",
        "CustomAttribute9",
        "CustomAttribute10",
        "CustomAttribute11",
        "CustomAttribute12",
        "CustomAttribute13",
        "CustomAttribute14",
        "CustomAttribute15",
    ];
    for (k, n) in NAMES.iter().enumerate() {
        let v = ov.and_then(|o| o.custom.get(&(k as u8 + 1)).cloned());
        r.push((n, v.map(V::Str).unwrap_or(V::S(""))));
    }
}

pub fn perm_rec(identity: &str, user: &str, rights: &[&'static str]) -> Record {
    vec![
        ("Identity", V::Str(identity.to_string())),
        ("User", V::Str(user.to_string())),
        (
            "AccessRights",
            V::Arr(rights.iter().map(|r| V::S(r)).collect()),
        ),
        ("IsInherited", V::Bool(false)),
        ("Deny", V::Bool(false)),
        ("InheritanceType", V::S("All")),
    ]
}

pub fn rperm_rec(identity: &str, trustee: &str) -> Record {
    vec![
        ("Identity", V::Str(identity.to_string())),
        ("Trustee", V::Str(trustee.to_string())),
        ("AccessControlType", V::S("Allow")),
        ("AccessRights", V::Arr(vec![V::S("SendAs")])),
        ("IsInherited", V::Bool(false)),
        ("InheritanceType", V::S("None")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(fmt_size(0), "0 B (0 bytes)");
        assert_eq!(fmt_size(1536), "1.5 KB (1,536 bytes)");
        assert_eq!(fmt_size(107_374_182_400), "100 GB (107,374,182,400 bytes)");
    }

    #[test]
    fn deterministic_and_unique() {
        let a = Estate::new(1, 3, 2000);
        let b = Estate::new(1, 3, 2000);
        assert_eq!(a.tenants[1].id, b.tenants[1].id);
        assert_eq!(a.refresh_token, b.refresh_token);
        let t = &a.tenants[1];
        let mut seen = std::collections::HashSet::new();
        for i in 0..t.n_mbx {
            assert!(seen.insert(t.mailbox(i).alias), "dup alias at {}", i);
        }
        let st = t.state.read().unwrap();
        assert_eq!(t.resolve(&t.mailbox(7).alias.to_uppercase(), &st), vec![7]);
        assert_eq!(t.resolve(&t.guid_of(9, 3), &st), vec![9]);
        assert_eq!(t.resolve(&t.upn(&t.mailbox(11)), &st), vec![11]);
    }
}
