/** A GB/T 2260 division; a prefecture-level city lists some of its county-level divisions. */
export interface Division {
  code: string;
  name: string;
  counties?: readonly { code: string; name: string }[];
}

/**
 * Divisions (GB/T 2260, 民政部 201904 list) used to place demo agencies in the nine demo
 * provinces: prefecture-level cities with some of their districts and counties, and for the four
 * municipalities their districts.
 */
export const DEMO_DIVISIONS: Record<string, Division[]> = {
  '310000': [
    { code: '310101', name: '黄浦区' },
    { code: '310104', name: '徐汇区' },
    { code: '310115', name: '浦东新区' },
    { code: '310106', name: '静安区' },
  ],
  '320000': [
    {
      code: '320100',
      name: '南京市',
      counties: [
        { code: '320102', name: '玄武区' },
        { code: '320104', name: '秦淮区' },
        { code: '320106', name: '鼓楼区' },
        { code: '320115', name: '江宁区' },
      ],
    },
    {
      code: '320200',
      name: '无锡市',
      counties: [
        { code: '320205', name: '锡山区' },
        { code: '320206', name: '惠山区' },
        { code: '320213', name: '梁溪区' },
        { code: '320281', name: '江阴市' },
      ],
    },
    {
      code: '320500',
      name: '苏州市',
      counties: [
        { code: '320505', name: '虎丘区' },
        { code: '320506', name: '吴中区' },
        { code: '320508', name: '姑苏区' },
        { code: '320581', name: '常熟市' },
      ],
    },
    {
      code: '320300',
      name: '徐州市',
      counties: [
        { code: '320302', name: '鼓楼区' },
        { code: '320303', name: '云龙区' },
        { code: '320311', name: '泉山区' },
        { code: '320321', name: '丰县' },
      ],
    },
  ],
  '330000': [
    {
      code: '330100',
      name: '杭州市',
      counties: [
        { code: '330102', name: '上城区' },
        { code: '330105', name: '拱墅区' },
        { code: '330106', name: '西湖区' },
        { code: '330108', name: '滨江区' },
      ],
    },
    {
      code: '330200',
      name: '宁波市',
      counties: [
        { code: '330203', name: '海曙区' },
        { code: '330205', name: '江北区' },
        { code: '330212', name: '鄞州区' },
        { code: '330281', name: '余姚市' },
      ],
    },
    {
      code: '330300',
      name: '温州市',
      counties: [
        { code: '330302', name: '鹿城区' },
        { code: '330303', name: '龙湾区' },
        { code: '330304', name: '瓯海区' },
        { code: '330381', name: '瑞安市' },
      ],
    },
    {
      code: '330400',
      name: '嘉兴市',
      counties: [
        { code: '330402', name: '南湖区' },
        { code: '330411', name: '秀洲区' },
        { code: '330421', name: '嘉善县' },
        { code: '330481', name: '海宁市' },
      ],
    },
  ],
  '340000': [
    {
      code: '340100',
      name: '合肥市',
      counties: [
        { code: '340102', name: '瑶海区' },
        { code: '340103', name: '庐阳区' },
        { code: '340104', name: '蜀山区' },
        { code: '340111', name: '包河区' },
      ],
    },
    {
      code: '340200',
      name: '芜湖市',
      counties: [
        { code: '340202', name: '镜湖区' },
        { code: '340203', name: '弋江区' },
        { code: '340207', name: '鸠江区' },
      ],
    },
    {
      code: '340300',
      name: '蚌埠市',
      counties: [
        { code: '340302', name: '龙子湖区' },
        { code: '340303', name: '蚌山区' },
        { code: '340304', name: '禹会区' },
        { code: '340311', name: '淮上区' },
      ],
    },
    {
      code: '340500',
      name: '马鞍山市',
      counties: [
        { code: '340503', name: '花山区' },
        { code: '340504', name: '雨山区' },
        { code: '340506', name: '博望区' },
      ],
    },
  ],
  '110000': [
    { code: '110101', name: '东城区' },
    { code: '110102', name: '西城区' },
    { code: '110105', name: '朝阳区' },
    { code: '110108', name: '海淀区' },
  ],
  '120000': [
    { code: '120101', name: '和平区' },
    { code: '120102', name: '河东区' },
    { code: '120103', name: '河西区' },
    { code: '120104', name: '南开区' },
  ],
  '130000': [
    {
      code: '130100',
      name: '石家庄市',
      counties: [
        { code: '130102', name: '长安区' },
        { code: '130104', name: '桥西区' },
        { code: '130105', name: '新华区' },
        { code: '130108', name: '裕华区' },
      ],
    },
    {
      code: '130200',
      name: '唐山市',
      counties: [
        { code: '130202', name: '路南区' },
        { code: '130203', name: '路北区' },
        { code: '130207', name: '丰南区' },
      ],
    },
    {
      code: '130600',
      name: '保定市',
      counties: [
        { code: '130602', name: '竞秀区' },
        { code: '130606', name: '莲池区' },
        { code: '130607', name: '满城区' },
      ],
    },
    {
      code: '130400',
      name: '邯郸市',
      counties: [
        { code: '130402', name: '邯山区' },
        { code: '130403', name: '丛台区' },
        { code: '130404', name: '复兴区' },
      ],
    },
  ],
  '500000': [
    { code: '500101', name: '万州区' },
    { code: '500103', name: '渝中区' },
    { code: '500106', name: '沙坪坝区' },
    { code: '500105', name: '江北区' },
  ],
  '510000': [
    {
      code: '510100',
      name: '成都市',
      counties: [
        { code: '510104', name: '锦江区' },
        { code: '510105', name: '青羊区' },
        { code: '510106', name: '金牛区' },
        { code: '510107', name: '武侯区' },
      ],
    },
    {
      code: '510700',
      name: '绵阳市',
      counties: [
        { code: '510703', name: '涪城区' },
        { code: '510704', name: '游仙区' },
        { code: '510705', name: '安州区' },
      ],
    },
    {
      code: '511300',
      name: '南充市',
      counties: [
        { code: '511302', name: '顺庆区' },
        { code: '511303', name: '高坪区' },
        { code: '511304', name: '嘉陵区' },
      ],
    },
    {
      code: '510600',
      name: '德阳市',
      counties: [
        { code: '510603', name: '旌阳区' },
        { code: '510604', name: '罗江区' },
        { code: '510681', name: '广汉市' },
      ],
    },
  ],
};

/** Departments: base name, suffix at provincial level, suffix below. */
export const DEPARTMENTS: readonly (readonly [string, string, string])[] = [
  ['发展和改革', '委员会', '委员会'],
  ['教育', '厅', '局'],
  ['科学技术', '厅', '局'],
  ['工业和信息化', '厅', '局'],
  ['公安', '厅', '局'],
  ['民政', '厅', '局'],
  ['司法', '厅', '局'],
  ['财政', '厅', '局'],
  ['人力资源和社会保障', '厅', '局'],
  ['自然资源', '厅', '局'],
  ['生态环境', '厅', '局'],
  ['住房和城乡建设', '厅', '局'],
  ['交通运输', '厅', '局'],
  ['水利', '厅', '局'],
  ['农业农村', '厅', '局'],
  ['商务', '厅', '局'],
  ['文化和旅游', '厅', '局'],
  ['卫生健康', '委员会', '委员会'],
  ['审计', '厅', '局'],
  ['机关事务管理', '局', '局'],
  ['统计', '局', '局'],
  ['市场监督管理', '局', '局'],
  ['应急管理', '厅', '局'],
  ['林业', '局', '局'],
  ['体育', '局', '局'],
  ['医疗保障', '局', '局'],
  ['信访', '局', '局'],
  ['档案', '馆', '馆'],
  ['地方志', '办公室', '办公室'],
  ['退役军人事务', '厅', '局'],
  ['国有资产监督管理', '委员会', '委员会'],
  ['数据', '局', '局'],
];

/** Street names for demo addresses. */
export const STREETS = ['人民路', '中山路', '解放路', '建设路', '和平路', '文化路', '长江路', '新华路', '胜利路', '北京路', '东风路', '青年路'];

/** Common surnames and given-name characters for demo contacts and drivers. */
export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
export const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '强', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '建华', '志强', '海燕', '晓东'];

/** Telephone area code (区号) of each province's capital, for contact numbers. */
export const AREA_CODES: Record<string, string> = {
  '110000': '010',
  '120000': '022',
  '310000': '021',
  '500000': '023',
  '130000': '0311',
  '140000': '0351',
  '150000': '0471',
  '210000': '024',
  '220000': '0431',
  '230000': '0451',
  '320000': '025',
  '330000': '0571',
  '340000': '0551',
  '350000': '0591',
  '360000': '0791',
  '370000': '0531',
  '410000': '0371',
  '420000': '027',
  '430000': '0731',
  '440000': '020',
  '450000': '0771',
  '460000': '0898',
  '510000': '028',
  '520000': '0851',
  '530000': '0871',
  '540000': '0891',
  '610000': '029',
  '620000': '0931',
  '630000': '0971',
  '640000': '0951',
  '650000': '0991',
};

/** The capital (省会) of each province that is not a municipality: where a province without demo divisions places its city-level agencies. */
export const CAPITALS: Record<string, Division> = {
  '130000': { code: '130100', name: '石家庄市' },
  '140000': { code: '140100', name: '太原市' },
  '150000': { code: '150100', name: '呼和浩特市' },
  '210000': { code: '210100', name: '沈阳市' },
  '220000': { code: '220100', name: '长春市' },
  '230000': { code: '230100', name: '哈尔滨市' },
  '320000': { code: '320100', name: '南京市' },
  '330000': { code: '330100', name: '杭州市' },
  '340000': { code: '340100', name: '合肥市' },
  '350000': { code: '350100', name: '福州市' },
  '360000': { code: '360100', name: '南昌市' },
  '370000': { code: '370100', name: '济南市' },
  '410000': { code: '410100', name: '郑州市' },
  '420000': { code: '420100', name: '武汉市' },
  '430000': { code: '430100', name: '长沙市' },
  '440000': { code: '440100', name: '广州市' },
  '450000': { code: '450100', name: '南宁市' },
  '460000': { code: '460100', name: '海口市' },
  '510000': { code: '510100', name: '成都市' },
  '520000': { code: '520100', name: '贵阳市' },
  '530000': { code: '530100', name: '昆明市' },
  '540000': { code: '540100', name: '拉萨市' },
  '610000': { code: '610100', name: '西安市' },
  '620000': { code: '620100', name: '兰州市' },
  '630000': { code: '630100', name: '西宁市' },
  '640000': { code: '640100', name: '银川市' },
  '650000': { code: '650100', name: '乌鲁木齐市' },
};
