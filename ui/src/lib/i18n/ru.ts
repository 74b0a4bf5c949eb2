// Русские сообщения: те же ключи, что в en.ts (тип Catalog следит за этим).
import type { Catalog } from "./en";

export const ru: Catalog = {
  "app.name": "Cadence",
  "app.loading": "Загрузка…",

  "nav.label": "Главное меню",
  "nav.templates": "Шаблоны",
  "nav.audience": "Аудитория",
  "nav.campaigns": "Кампании",
  "nav.abTests": "A/B-тесты",
  "nav.quality": "Качество",
  "nav.reports": "Отчёты",
  "nav.settings": "Настройки",

  "mode.sandbox": "Песочница",
  "mode.live": "Боевой режим",
  "mode.sandbox.hint":
    "Песочница: сообщения уходят в офлайн-симулятор Cadence и никогда не доходят до живых людей.",
  "mode.live.hint":
    "Боевой режим: сообщения уходят живым людям через ваш аккаунт WhatsApp Business.",

  "screen.notBuilt": "Раздел «{screen}» в этой версии Cadence ещё не готов.",

  "settings.workspace": "Рабочее пространство",
  "settings.workspace.name": "Название",
  "settings.workspace.mode": "Режим",
  "settings.appearance": "Язык и оформление",
  "settings.language": "Язык интерфейса",
  "settings.language.system": "Как в системе ({language})",
  "settings.theme": "Тема",
  "settings.theme.value": "Как в системе: светлая или тёмная",
  "settings.connection": "Подключение",
  "settings.connection.sandbox":
    "Это рабочее пространство работает с офлайн-песочницей Cadence по адресу {url}: ни одно сообщение не дойдёт до живого человека.",
  "settings.connection.wabaId": "Идентификатор аккаунта WhatsApp Business",
  "settings.connection.phoneNumberId": "Идентификатор номера телефона",
  "settings.connection.appId": "Идентификатор приложения Meta (для примеров медиа-заголовков)",
  "settings.connection.apiVersion": "Версия API",
  "settings.connection.accessToken": "Токен доступа",
  "settings.connection.appSecret": "Секрет приложения",
  "settings.connection.verifyToken": "Токен проверки вебхука",
  "settings.connection.webhookListen": "Адрес приёмника вебхуков",
  "settings.connection.secretSaved":
    "Сохранён в хранилище паролей системы; оставьте пустым, чтобы не менять",
  "settings.connection.secretMissing": "Ещё не сохранён",
  "settings.connection.save": "Сохранить подключение",
  "settings.connection.saved":
    "Сохранено. Секреты записаны в хранилище паролей системы, а не в базу данных Cadence.",
  "settings.connection.test": "Проверить подключение",
  "settings.connection.testing": "Запрашиваем Meta…",
  "settings.connection.connected": "Подключено",
  "settings.connection.phone": "Номер телефона",
  "settings.connection.quality": "Рейтинг качества",
  "settings.connection.throughput": "Пропускная способность",
  "settings.connection.limit": "Лимит рассылки",
  "settings.connection.unknown": "нет данных",
  "settings.connection.receiver": "Приёмник вебхуков",
  "settings.connection.receiver.listening": "Принимает по адресу {url}",
  "settings.connection.receiver.off": "Не принимает: {problem}",
  "settings.connection.newLive": "Подключить настоящий аккаунт",
  "settings.connection.newLive.hint":
    "Для настоящего аккаунта создаётся отдельное рабочее пространство с отметкой «Боевой режим». Назовите его (строчные латинские буквы, цифры, - или _):",
  "settings.connection.newLive.create": "Создать и перейти в него",
  "workspace.switch": "Рабочее пространство",
  "workspace.option": "{name} ({mode})",
  "workspace.unreadable": "{name} (не читается)",
  "settings.about": "О программе",
  "settings.about.version": "Версия",
  "settings.about.dataDir": "Папка данных",
  "settings.about.database": "База данных",
  "settings.about.schema": "Схема базы данных",
  "settings.about.logDir": "Папка журналов",

  "error.title": "Что-то пошло не так",
  "error.retry": "Повторить",
  "error.invalid_input.title": "Cadence не принял введённые данные",
  "error.invalid_input.next": "Исправьте значение, указанное ниже, и попробуйте снова.",
  "error.io.title": "Не удалось использовать файл или папку",
  "error.io.next": "Проверьте, что папка существует, доступна для записи и на диске есть место.",
  "error.storage.title": "Не удалось открыть базу данных рабочего пространства",
  "error.storage.next":
    "Закройте другие копии Cadence и попробуйте снова; подробности — в папке журналов (см. Настройки).",
  "error.newer_version.title": "Это рабочее пространство требует более новой версии Cadence",
  "error.newer_version.next": "Установите последнюю версию Cadence, чтобы открыть его.",
  "error.keyring.title": "Не удалось обратиться к хранилищу паролей системы",
  "error.keyring.next":
    "Разблокируйте хранилище паролей (в Linux — GNOME Keyring или KWallet) и попробуйте снова; Cadence хранит токены только там.",
  "error.meta_api.title": "Meta отклонила запрос",
  "error.meta_api.next":
    "Ниже — ответ Meta дословно: проверьте идентификаторы и токен доступа в Настройки → Подключение.",
  "error.network.title": "Не удалось связаться с Meta",
  "error.network.next": "Проверьте подключение к интернету (или прокси) и попробуйте снова.",
  "error.internal.title": "В Cadence произошла ошибка",
  "error.internal.next":
    "Попробуйте снова; если ошибка повторится, отправьте команде файл журнала из Настроек.",
};
